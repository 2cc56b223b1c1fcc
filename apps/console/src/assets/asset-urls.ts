import { createHash } from 'node:crypto';
import { CONSOLE_CSS } from './console-css';
import { CONSOLE_JS } from './console-script';

const version = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

/** Asset URLs carry their content's hash, so a browser may keep them for good and never runs a stale one. */
export const ASSET_URLS = {
  css: `/assets/console.css?v=${version(CONSOLE_CSS)}`,
  js: `/assets/console.js?v=${version(CONSOLE_JS)}`,
};
