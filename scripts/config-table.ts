// Prints the README's configuration table from the config schema: `npx tsx scripts/config-table.ts`.
import { describeConfig } from '../src/config/config.js';

console.log('| variable | default | meaning |\n|---|---|---|');
for (const row of describeConfig()) {
  console.log(`| \`${row.name}\` | ${row.defaultValue ? `\`${row.defaultValue}\`` : '—'} | ${row.description} |`);
}
