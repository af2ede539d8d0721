/**
 * Catalogue of the downloadable datasets: where each one's authors publish it, the archives
 * to fetch, their checksums where published, and the folder each unpacks to under a data
 * directory.
 */

export const DATASET_NAMES = ['cifar10', 'cat', 'ffhq'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export interface DatasetArchive {
  fileName: string;
  format: 'tar.gz' | 'zip';
  /** MD5 of the archive as published by the dataset's authors, when they publish one. */
  md5?: string;
}

export interface DatasetSpec {
  name: DatasetName;
  title: string;
  /** The authors' page that documents the download. */
  homepage: string;
  /** The folder the archives are downloaded from; undefined when no direct address exists. */
  baseUrl: string | undefined;
  archives: DatasetArchive[];
  /** Folder under the data directory that the unpacked dataset is renamed to. */
  folder: string;
  /** CIFAR binary batches, or a folder of PNG/JPEG images. */
  layout: 'cifar-batches' | 'image-folder';
  /** Image count of the complete dataset, where its authors state one. */
  expectedImages?: number;
}

export const DATASETS: Record<DatasetName, DatasetSpec> = {
  cifar10: {
    name: 'cifar10',
    title: 'CIFAR-10, binary version (Krizhevsky 2009)',
    homepage: 'https://www.cs.toronto.edu/~kriz/cifar.html',
    baseUrl: 'https://www.cs.toronto.edu/~kriz/',
    archives: [{ fileName: 'cifar-10-binary.tar.gz', format: 'tar.gz', md5: 'c32a1d4ab5d03f1284b67883e8d87530' }],
    folder: 'cifar10',
    layout: 'cifar-batches',
    expectedImages: 60_000,
  },
  cat: {
    name: 'cat',
    title: 'CAT dataset (Zhang, Sun and Tang 2008), cat photos with face annotations',
    homepage: 'https://archive.org/details/CAT_DATASET',
    // NOTE: this archive.org copy is the address that CAT 128² GAN setups download from. Neither it nor a checksum could be verified, so the archives are not checksummed.
    baseUrl: 'https://archive.org/download/CAT_DATASET/',
    archives: [
      { fileName: 'CAT_DATASET_01.zip', format: 'zip' },
      { fileName: 'CAT_DATASET_02.zip', format: 'zip' },
    ],
    folder: 'cat',
    // Training crops each face by its .cat landmark file (src/data/catLandmarks.ts), as CAT 128² GAN setups do.
    layout: 'image-folder',
  },
  ffhq: {
    name: 'ffhq',
    title: 'Flickr-Faces-HQ (Karras, Laine and Aila 2019), 70 000 aligned faces at 1024²',
    homepage: 'https://github.com/NVlabs/ffhq-dataset',
    // NOTE: FFHQ is published only on Google Drive, whose `zips` folder contains images1024x1024.zip. Drive needs an interactive confirmation and publishes no archive checksum, so fetching needs --url with a mirror or a local copy.
    baseUrl: undefined,
    archives: [{ fileName: 'images1024x1024.zip', format: 'zip' }],
    folder: 'ffhq',
    layout: 'image-folder',
    expectedImages: 70_000,
  },
};

/** Looks up a dataset by name; the error lists the names that exist. */
export function datasetSpec(name: string): DatasetSpec {
  if (!(DATASET_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(`unknown dataset "${name}"; expected one of ${DATASET_NAMES.join(', ')}`);
  }
  return DATASETS[name as DatasetName];
}
