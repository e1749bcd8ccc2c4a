// Writes the tiny test model (a real GGUF that always answers one fixed sentence):
//   npx tsx scripts/make-test-model.ts FILE.gguf [--endless]
// Then: node dist/main/cli.js runtime llama --model FILE.gguf --port 8081 --threads 1
import { writeTinyModel, TINY_MODEL_ANSWER } from '../test/support/tiny-model.js';

const args = process.argv.slice(2);
const file = args.find((arg) => !arg.startsWith('--'));
if (!file || args.some((arg) => arg.startsWith('--') && arg !== '--endless')) {
  console.error('usage: npx tsx scripts/make-test-model.ts FILE.gguf [--endless]');
  process.exit(2);
}
const endless = args.includes('--endless');
await writeTinyModel(file, { variant: endless ? 'endless' : 'chat' });
console.log(`Wrote ${file}: answers "${TINY_MODEL_ANSWER}"${endless ? ' over and over, until max_tokens' : ' and stops'}.`);
