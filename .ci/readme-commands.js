// Prints the commands of README.md's first ```sh block, one a line, without their trailing
// `# comments`: what .ci/run runs, so that CI runs the README's commands exactly as written.
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2] ?? 'README.md', 'utf8');
const block = /^```sh\n([\s\S]*?)^```$/m.exec(text);
if (!block) {
  console.error('README.md has no ```sh block');
  process.exit(1);
}
for (const line of block[1].split('\n')) {
  const command = line.replace(/\s+#\s.*$/, '').trim();
  if (command && !command.startsWith('#')) console.log(command);
}
