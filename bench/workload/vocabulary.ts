/**
 * The words the generated corpus is made of: topics of a company knowledge base, each with
 * its own terms, plus terms shared across topics and the glue words of a sentence. The
 * built-in `hashing-ngram-v1` embedder scores texts by shared words and character 3-grams,
 * so documents of one topic are close to each other and to a query made of that topic's words.
 */

/** A topic and the terms that mark it. */
export interface Topic {
  name: string;
  terms: readonly string[];
}

/** Every topic the corpus draws from. */
export const TOPICS: readonly Topic[] = [
  {
    name: 'billing',
    terms: words(`invoice invoices refund refunds payment payments billing charge charges credit card
      subscription renewal receipt tax vat currency discount coupon overdue balance ledger statement
      proration chargeback dunning plan upgrade downgrade annual monthly quote purchase order remittance`),
  },
  {
    name: 'security',
    terms: words(`password passwords login authentication token tokens certificate encryption key rotation
      firewall vulnerability patch audit access role permission mfa phishing breach incident secret vault
      session expiry lockout compliance policy scanner intrusion`),
  },
  {
    name: 'shipping',
    terms: words(`shipment shipping parcel package courier tracking delivery warehouse pallet customs label
      dispatch carrier freight route address pickup returns damaged lost delay express standard dimensions
      weight manifest depot inventory stock backorder`),
  },
  {
    name: 'hr',
    terms: words(`vacation leave holiday payroll salary benefits pension onboarding offboarding contract
      probation review appraisal training course manager team hiring interview candidate referral
      overtime timesheet sick parental relocation laptop badge`),
  },
  {
    name: 'infrastructure',
    terms: words(`server servers cluster node nodes container kubernetes deployment rollout rollback
      database replica backup restore latency throughput outage monitoring alert dashboard metrics logs
      disk memory cpu network loadbalancer dns region failover`),
  },
  {
    name: 'product',
    terms: words(`feature features release roadmap feedback bug bugs ticket sprint backlog prototype design
      mockup experiment launch beta customer customers usability onboarding search filter export import
      integration webhook api sdk changelog`),
  },
  {
    name: 'legal',
    terms: words(`agreement agreements clause liability warranty privacy gdpr consent retention deletion
      processor controller jurisdiction arbitration termination notice trademark copyright license
      licensing indemnity confidentiality signature amendment renewal dispute regulator`),
  },
  {
    name: 'sales',
    terms: words(`lead leads prospect pipeline deal deals quota forecast territory account accounts demo
      trial pricing proposal negotiation contract renewal churn upsell partner reseller commission
      campaign webinar conference pitch objection`),
  },
  {
    name: 'support',
    terms: words(`support helpdesk agent agents escalation priority severity response resolution sla queue
      chat email phone callback survey satisfaction macro knowledge article troubleshooting reset
      reinstall crash error message workaround`),
  },
  {
    name: 'facilities',
    terms: words(`office offices desk desks meeting room booking parking kitchen coffee cleaning heating
      lighting elevator keycard visitor reception printer mail delivery furniture chair plant recycling
      fire drill evacuation`),
  },
];

/** Terms any topic may use. */
export const SHARED_TERMS: readonly string[] = words(`process request team customer week month quarter
  report update change review approval form document portal system tool account owner deadline
  schedule status issue note guide checklist step steps`);

/** Short words that make a sentence read like one; they carry little weight in the embedding. */
export const GLUE: readonly string[] = words(`the a an of to for and with in on by from after before
  when if is are must should can will each every all our your their this that`);

/** Openings of a vague question. */
export const QUESTION_OPENERS: readonly string[] = [
  'how do I',
  'what is the',
  'where can I find',
  'who handles',
  'when should we',
  'why does the',
  '',
];

function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w.length > 0);
}
