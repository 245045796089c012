// Fuzz worker process entry: registers the TypeScript loader as bin/sticksim.js does, then runs worker.ts.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
