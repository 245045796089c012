/** The key help (?), for the mode in use. */
import { Box, Text } from 'ink';
import { cell } from './format.ts';
import { KEY_HELP, type Mode } from './keys.ts';

export function HelpPanel(props: { mode: Mode; width: number }) {
  const shown = KEY_HELP.filter((k) => k.mode === undefined || k.mode === props.mode);
  return (
    <Box flexDirection="column" width={props.width}>
      <Text bold>{cell(`keys (${props.mode}) — any key closes`, props.width)}</Text>
      {shown.map((k) => (
        <Text key={k.keys}>{cell(`  ${k.keys.padEnd(12)} ${k.does}`, props.width)}</Text>
      ))}
    </Box>
  );
}
