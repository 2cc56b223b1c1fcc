/**
 * Strings numbered in order of first appearance, each with a value derived once (a parsed date list,
 * a country set…), so a million entries share one copy of every repeated field.
 */
export class InternTable<T = string> {
  private readonly ids = new Map<string, number>();
  readonly texts: string[] = [];
  readonly values: T[] = [];

  constructor(private readonly derive?: (text: string) => T) {}

  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.ids.set(text, id);
      this.texts.push(text);
      if (this.derive) this.values.push(this.derive(text));
    }
    return id;
  }

  idIfKnown(text: string): number | undefined {
    return this.ids.get(text);
  }
}
