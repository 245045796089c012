/**
 * The runtime API on a unix socket, like HAProxy's `stats socket`: in the default
 * (non-interactive) mode one command line per connection — `;`-separated commands, every answer
 * written as the RuntimeApi gives it, then the connection is closed — so `echo CMD | socat -
 * UNIX-CONNECT:path` works unchanged. A line starting with `prompt` switches the connection to
 * interactive mode (a `> ` prompt after each answer, until `quit` or EOF).
 */
import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';

/** A command line longer than this closes the connection (HAProxy's buffer is 16 KiB). */
const LINE_BYTES_MAX = 64 * 1024;

export interface StatsSocketOptions {
  path: string;
  /** Answers one line (all its `;`-separated commands), as latin1 text. */
  execute: (line: string) => string;
}

export class StatsSocket {
  private server: Server | undefined;
  private readonly clients = new Set<Socket>();
  /** The socket file's inode once bound: a newer process may have replaced the file since. */
  private inode: number | undefined;

  constructor(private readonly options: StatsSocketOptions) {}

  /** Binds the socket (a stale socket file left by a dead process is replaced). */
  async start(): Promise<void> {
    removeSocketFile(this.options.path);
    const server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ path: this.options.path }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.inode = lstatSync(this.options.path).ino;
  }

  /** Closes the server and every connection, and removes the socket file. */
  stop(): void {
    this.server?.close();
    this.server = undefined;
    for (const c of this.clients) c.destroy();
    this.clients.clear();
    if (this.inode !== undefined) removeSocketFile(this.options.path, this.inode);
    this.inode = undefined;
  }

  private serve(socket: Socket): void {
    this.clients.add(socket);
    socket.on('close', () => this.clients.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = '';
    let interactive = false;
    let done = false;
    const runLine = (line: string): void => {
      const trimmed = line.replace(/\r$/, '');
      if (!interactive && /^\s*prompt\s*(;|$)/.test(trimmed)) {
        interactive = true;
        socket.write('\n> ');
        return;
      }
      if (interactive && /^\s*quit\s*$/.test(trimmed)) {
        done = true;
        socket.end();
        return;
      }
      socket.write(Buffer.from(this.options.execute(trimmed), 'latin1'));
      if (interactive) socket.write('> ');
      else {
        done = true;
        socket.end();
      }
    };
    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      buffered += chunk.toString('latin1');
      for (let lines = 0; lines < 1_000 && !done; lines++) {
        const at = buffered.indexOf('\n');
        if (at < 0) break;
        const line = buffered.slice(0, at);
        buffered = buffered.slice(at + 1);
        runLine(line);
      }
      if (!done && buffered.length > LINE_BYTES_MAX) {
        done = true;
        socket.destroy();
      }
    });
    socket.on('end', () => {
      if (done) return;
      if (buffered.length > 0) runLine(buffered);
      if (!done) socket.end();
    });
  }
}

/** Removes a socket file (only the one with `inode` when given); other kinds of files are left. */
function removeSocketFile(path: string, inode?: number): void {
  if (!existsSync(path)) return;
  const stat = lstatSync(path);
  if (!stat.isSocket() || (inode !== undefined && stat.ino !== inode)) return;
  unlinkSync(path);
}
