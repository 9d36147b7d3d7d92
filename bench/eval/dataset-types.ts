/** A document of a test collection. */
export interface EvalDocument {
  id: string;
  title: string;
  body: string;
}

/** A query of a test collection. */
export interface EvalQuery {
  id: string;
  text: string;
}

/** Relevance judgments: query id → document id → gain (0 = judged not relevant). */
export type Qrels = Map<string, Map<string, number>>;

/** A test collection: documents, queries and judgments. */
export interface Dataset {
  name: string;
  docs: EvalDocument[];
  queries: EvalQuery[];
  qrels: Qrels;
  /** Documents left out because their text is blank (recall refuses them; Cranfield has two). */
  blankDocuments?: string[];
}

/** Adds a judgment, keeping the larger gain when a pair is listed twice. */
export function judge(qrels: Qrels, query: string, doc: string, gain: number): void {
  const judged = qrels.get(query) ?? new Map<string, number>();
  judged.set(doc, Math.max(gain, judged.get(doc) ?? 0));
  qrels.set(query, judged);
}
