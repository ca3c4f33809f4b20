/** The HTML report's regression gallery as a task hands it over (Task.gallery); report/html-gallery.ts renders it. */

export interface GalleryItem {
  /** The sample's id (its path inside the eval set). */
  readonly id: string;
  /** Ground truth, as a class name. */
  readonly label: string;
  /** Each model's top-1 prediction, as a class name. */
  readonly baseline: string;
  readonly candidate: string;
  /** A data:image/...;base64 URL (src/preprocess/thumbnail.ts makes them). */
  readonly thumbnail: string;
}

export interface Gallery {
  readonly broken: readonly GalleryItem[];
  readonly fixed: readonly GalleryItem[];
  /**
   * How many flipped samples there are in all, when the lists above were already cut short
   * (thumbnails are costly to make for thousands of flips). Defaults to the list's length.
   */
  readonly brokenTotal?: number;
  readonly fixedTotal?: number;
}
