-- Golden answers: canonical answers to known questions, matched on the normalised question.

CREATE TABLE golden_answers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  question text NOT NULL,
  question_normalized text NOT NULL,
  answer text NOT NULL,
  sources text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- UNIQUE (question_normalized), through its md5 so long questions fit in a B-tree entry;
-- lookups compare the full text as well.
CREATE UNIQUE INDEX golden_answers_question_normalized_key ON golden_answers (md5(question_normalized));
