// Stands in for `uuid` under jest (jest.config.js maps it here). The Milvus SDK's bulk writer
// pulls in thrift, which requires the ESM-only `uuid`: Node loads it, jest's CommonJS loader
// cannot. Only thrift (parquet writing, which no test does) uses it.
const unavailable = () => {
  throw new Error('uuid is not available under jest');
};
module.exports = { parse: unavailable, stringify: unavailable, v4: unavailable };
