import type { CodeSample } from '../../components/CodeTabs';

// A chat completion through the H-MAS gateway, as a shell command and with the official OpenAI
// SDKs. The key comes from the environment so a copied snippet never carries a secret.

const PROMPT = 'Hello!';

/** The gateway's OpenAI-compatible base URL on this H-MAS server. */
export const gatewayBaseUrl = (origin: string) => `${origin}/v1`;

export function curlExample(baseUrl: string, model: string): string {
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: PROMPT }] });
  return [
    `curl -s ${baseUrl}/chat/completions \\`,
    `  -H "Authorization: Bearer $HMAS_API_KEY" \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '${body}'`,
  ].join('\n');
}

export function pythonExample(baseUrl: string, model: string): string {
  return [
    'import os',
    'from openai import OpenAI',
    '',
    'client = OpenAI(',
    `    base_url=${JSON.stringify(baseUrl)},`,
    '    api_key=os.environ["HMAS_API_KEY"],',
    ')',
    'completion = client.chat.completions.create(',
    `    model=${JSON.stringify(model)},`,
    `    messages=[{"role": "user", "content": ${JSON.stringify(PROMPT)}}],`,
    ')',
    'print(completion.choices[0].message.content)',
  ].join('\n');
}

/** A single-quoted JavaScript string. */
const js = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function nodeExample(baseUrl: string, model: string): string {
  return [
    "import OpenAI from 'openai';",
    '',
    'const client = new OpenAI({',
    `  baseURL: ${js(baseUrl)},`,
    '  apiKey: process.env.HMAS_API_KEY,',
    '});',
    'const completion = await client.chat.completions.create({',
    `  model: ${js(model)},`,
    `  messages: [{ role: 'user', content: ${js(PROMPT)} }],`,
    '});',
    'console.log(completion.choices[0].message.content);',
  ].join('\n');
}

/** curl, Python and Node samples of one chat completion with `model` through the gateway. */
export const clientExamples = (baseUrl: string, model: string): CodeSample[] => [
  { label: 'curl', code: curlExample(baseUrl, model) },
  { label: 'Python', code: pythonExample(baseUrl, model) },
  { label: 'Node', code: nodeExample(baseUrl, model) },
];
