/**
 * A small least-recently-used cache of fetched pages, so scrolling back and forth does not
 * refetch, while a scroll through millions of rows keeps only a few pages in memory.
 */
export class PageCache<T> {
  private readonly pages = new Map<number, T>();
  constructor(private readonly capacity = 20) {}

  get(page: number): T | undefined {
    const value = this.pages.get(page);
    if (value !== undefined) {
      // Re-insert to mark as most recently used (Map keeps insertion order).
      this.pages.delete(page);
      this.pages.set(page, value);
    }
    return value;
  }

  has(page: number): boolean {
    return this.pages.has(page);
  }

  set(page: number, value: T): void {
    this.pages.delete(page);
    this.pages.set(page, value);
    while (this.pages.size > this.capacity) {
      const oldest = this.pages.keys().next().value as number;
      this.pages.delete(oldest);
    }
  }

  clear(): void {
    this.pages.clear();
  }

  get size(): number {
    return this.pages.size;
  }
}
