#!/usr/bin/env node
// Entry point: registers the TypeScript loader, then runs the CLI written in TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
