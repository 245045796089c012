/** Running a screen in the terminal: follows the terminal's size, honours NO_COLOR. */
import { render, useStdout } from 'ink';
import { useEffect, useState, type ReactElement } from 'react';
import type { ScreenSize } from './app.tsx';

export function terminalSize(): ScreenSize {
  return { columns: process.stdout.columns ?? 80, rows: process.stdout.rows ?? 24 };
}

function Sized(props: { draw: (size: ScreenSize) => ReactElement }) {
  const { stdout } = useStdout();
  const [size, setSize] = useState<ScreenSize>({ columns: stdout.columns ?? 80, rows: stdout.rows ?? 24 });
  useEffect(() => {
    const onResize = (): void => setSize({ columns: stdout.columns ?? 80, rows: stdout.rows ?? 24 });
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return props.draw(size);
}

/** Draws until the person quits. */
export async function runScreen(draw: (size: ScreenSize) => ReactElement): Promise<void> {
  const instance = render(<Sized draw={draw} />, { exitOnCtrlC: true });
  await instance.waitUntilExit();
}
