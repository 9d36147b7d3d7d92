/**
 * Wire format of a rerank service:
 * - `tei`: Hugging Face text-embeddings-inference, `POST {url}/rerank`
 *   `{query, texts, raw_scores: false, truncate: true}` → `[{index, score}]`.
 * - `cohere`: Cohere, Jina, vLLM, Infinity…, `POST {url}/v1/rerank`
 *   `{model, query, documents, top_n}` → `{results: [{index, relevance_score}]}`.
 */
export type RerankFormat = 'tei' | 'cohere';

/** Every RerankFormat; the configuration's RERANK_FORMAT must be one of them. */
export const RERANK_FORMATS: readonly RerankFormat[] = Object.freeze(['tei', 'cohere']);
