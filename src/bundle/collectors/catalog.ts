import { basename } from 'node:path';
import type { Collector, CollectedFile } from '../contract.js';

/** A name that is safe inside the bundle whatever the user called the file. */
function safeBaseName(file: string): string {
  const name = basename(file)
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '_');
  return name === '' ? 'catalog' : name.slice(0, 60);
}

export const catalogCollector: Collector = {
  name: 'catalog',
  describes: 'the catalog files the run used: catalog/builtin/ as shipped, catalog/user/ from --catalog',
  collect: ({ catalogSources }) => {
    let user = 0;
    const files: CollectedFile[] = catalogSources.map((source) => {
      if (source.builtin) return { name: `catalog/builtin/${safeBaseName(source.file)}`, content: { text: source.text } };
      const n = ++user;
      return { name: `catalog/user/${n}-${safeBaseName(source.file)}`, nameWithoutOutside: `catalog/user/${n}.yaml`, content: { text: source.text } };
    });
    const index = catalogSources.map((source, i) => ({ file: source.file, builtin: source.builtin, savedAs: files[i]?.name }));
    return { files: [...files, { name: 'catalog/index.json', content: { json: index } }] };
  },
};
