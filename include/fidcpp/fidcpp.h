/* fidcpp C API: FID / Inception Score / KID / MiFID / precision-recall from raw pixel buffers, for renderers,
 * training loops and FFI. Stable ABI: opaque handles, status codes, caller-owned output buffers.
 *
 * Errors: every function returns fidcpp_status. On failure a human-readable message naming the argument and
 * the expectation is available from fidcpp_evaluator_last_error() (per evaluator) or fidcpp_last_error()
 * (per calling thread, for failures before an evaluator exists). The library never prints and never exits.
 *
 * Thread safety: independent evaluators may be used concurrently from different threads. One evaluator must
 * not be used from two threads at once (calls are not internally serialised). fidcpp_last_error() is
 * thread-local. */
#ifndef FIDCPP_FIDCPP_H_
#define FIDCPP_FIDCPP_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FIDCPP_VERSION_MAJOR 0
#define FIDCPP_VERSION_MINOR 1
#define FIDCPP_VERSION_PATCH 0

typedef enum fidcpp_status {
  FIDCPP_STATUS_OK = 0,
  FIDCPP_STATUS_INVALID_ARGUMENT = 1, /* a caller argument is wrong */
  FIDCPP_STATUS_BAD_INPUT = 2,        /* a file or buffer is malformed, corrupt or unsupported */
  FIDCPP_STATUS_IO_ERROR = 3,         /* the OS failed to read or write */
  FIDCPP_STATUS_NOT_FOUND = 4,        /* a file or key does not exist */
  FIDCPP_STATUS_WEIGHTS = 5,          /* weights missing, wrong or corrupt */
  FIDCPP_STATUS_UNSUPPORTED = 6, /* not possible in this build / on this machine (e.g. CUDA without GPU) */
  FIDCPP_STATUS_OUT_OF_MEMORY = 7,
  FIDCPP_STATUS_INTERNAL = 8, /* a bug in fidcpp */
  /* Every *_MAX_ENUM value makes the enum 32 bits wide, so any int a caller passes is a valid value of the
   * type (and is then rejected with FIDCPP_STATUS_INVALID_ARGUMENT instead of being undefined behaviour). */
  FIDCPP_STATUS_MAX_ENUM = 0x7FFFFFFF
} fidcpp_status;

/* Input conventions of the reference implementations (docs/conventions.md §2). */
typedef enum fidcpp_mode {
  FIDCPP_MODE_TORCH_FIDELITY = 0, /* default: TF1 legacy bilinear, (v-128)/128 */
  FIDCPP_MODE_TORCHMETRICS = 1,   /* antialiased bilinear (torchmetrics >= 1.8), (v-128)/128 */
  FIDCPP_MODE_PYTORCH_FID = 2,    /* half-pixel bilinear on [0,1], 2x-1 */
  FIDCPP_MODE_CLEAN_FID = 3,      /* PIL bicubic on float, clip, (v-128)/128 */
  FIDCPP_MODE_CLEAN_FID_LEGACY_TF = 4,
  FIDCPP_MODE_MAX_ENUM = 0x7FFFFFFF
} fidcpp_mode;

typedef enum fidcpp_device {
  FIDCPP_DEVICE_CPU = 0,
  FIDCPP_DEVICE_CUDA = 1,
  FIDCPP_DEVICE_AUTO = 2
} fidcpp_device;

typedef enum fidcpp_side {
  FIDCPP_SIDE_REAL = 0,
  FIDCPP_SIDE_GENERATED = 1,
  FIDCPP_SIDE_MAX_ENUM = 0x7FFFFFFF
} fidcpp_side;

typedef enum fidcpp_pixel_format {
  FIDCPP_PIXEL_RGB8 = 0,
  FIDCPP_PIXEL_RGBA8 = 1,
  FIDCPP_PIXEL_MAX_ENUM = 0x7FFFFFFF
} fidcpp_pixel_format;

typedef struct fidcpp_options {
  uint32_t struct_size;     /* sizeof(fidcpp_options); set by fidcpp_options_default */
  const char* weights_path; /* converted safetensors file; NULL = $FIDCPP_WEIGHTS or the default location */
  fidcpp_mode mode;
  fidcpp_device device;
  int threads;     /* 0 = all cores */
  int batch_size;  /* images per forward pass; 0 = backend default */
  int feature_dim; /* 64, 192, 768 or 2048 (default) */
  /* Keep per-image features in memory (needed by KID, MiFID, PRC). FID alone needs only the running
   * statistics (memory independent of the number of images). */
  int keep_features;
  /* Also compute logits_unbiased per image (needed by the Inception Score; requires weights with fc). */
  int keep_logits;
  /* Folders/zips/lists: skip files that cannot be decoded (counted, see fidcpp_evaluator_skipped) instead of
   * failing on the first one. */
  int skip_bad_images;
  /* Called after each processed batch with the images done so far on that side and the number expected
   * (0 if unknown). May be NULL. Runs on the calling thread. */
  void (*progress)(void* user, uint64_t done, uint64_t expected);
  void* progress_user;
  /* fidcpp_evaluator_add_path on a folder also takes the images of its sub-folders (hidden ones and
   * symlinked folders excepted). */
  int recursive;
  /* NULL/empty: no cache. Else a directory (created if needed) caching each folder/zip/list source added to
   * an empty side: statistics, and features/logits when kept. The key covers the image files (paths, sizes,
   * modification times), the weights file (path, size, modification time), mode, feature_dim, device,
   * batch_size and what is kept; entries are checksummed and recomputed when damaged. See the README. */
  const char* cache_dir;
  /* CPU backend: keep one packed copy of each weight (no Winograd transforms of the 3x3 and 1x7/7x1 layers):
   * about 16 MB less resident memory and a slower forward (docs/edge.md "Footprint"). Features change by
   * float rounding only (docs/precision.md). Ignored by the CUDA backend. */
  int low_memory;
  /* CUDA backend: convolutions and the fc layer on TF32 tensor cores (compute capability 8.0 or newer),
   * faster and less exact: inputs rounded to a 10-bit mantissa (docs/cuda.md "TF32"). Off by default (strict
   * float32). Ignored by the CPU backend. */
  int tf32;
} fidcpp_options;

typedef struct fidcpp_evaluator fidcpp_evaluator;

/* Fills *options with defaults. */
void fidcpp_options_default(fidcpp_options* options);

/* Creates an evaluator (loads and checks the weights, builds the backend). On success *out owns it; release
 * with fidcpp_evaluator_destroy. On failure *out is NULL and fidcpp_last_error() says why. */
fidcpp_status fidcpp_evaluator_create(const fidcpp_options* options, fidcpp_evaluator** out);

/* Destroys an evaluator; NULL is a no-op. */
void fidcpp_evaluator_destroy(fidcpp_evaluator* evaluator);

/* Message of the last failed call on this evaluator (empty if none). Valid until the next call on it. */
const char* fidcpp_evaluator_last_error(const fidcpp_evaluator* evaluator);

/* Message of the last failed call on this thread that had no evaluator to attach it to. */
const char* fidcpp_last_error(void);

/* Adds one image of width x height pixels in host memory, rows row_stride bytes apart (>= width * 3 or 4),
 * RGB(A)8 interleaved, to one side. Alpha is ignored (like PIL's convert('RGB')). The buffer is only read
 * during the call. Images may be buffered internally and processed in batches; fidcpp_evaluator_flush forces
 * it. */
fidcpp_status fidcpp_evaluator_add_image(fidcpp_evaluator* evaluator, fidcpp_side side, const uint8_t* pixels,
                                         int width, int height, size_t row_stride,
                                         fidcpp_pixel_format format);

/* Adds n images that are already in CUDA device memory, without copying them to the host: the preprocessing
 * kernels read device_pixels directly. Image i starts at device_pixels + i * height * row_stride; each is
 * width x height RGB(A)8 interleaved, rows row_stride bytes apart (>= width * 3 or 4). cuda_stream is the
 * cudaStream_t the pixels were written on (NULL: the legacy default stream): the reads are ordered after the
 * work already queued on it, and work queued on it later waits for the reads. The result equals adding the
 * same pixels with fidcpp_evaluator_add_image. Buffered host images of the side are processed first, so the
 * order of images is kept. Returns FIDCPP_STATUS_UNSUPPORTED on the CPU device or in a build without CUDA. */
fidcpp_status fidcpp_evaluator_add_images_device(fidcpp_evaluator* evaluator, fidcpp_side side,
                                                 const void* device_pixels, int n, int width, int height,
                                                 size_t row_stride, fidcpp_pixel_format format,
                                                 void* cuda_stream);

/* Adds one float RGB image with values in [0, 1] (interleaved HWC, row_stride in floats), converted to uint8
 * exactly like torchmetrics' normalize=True (floor(x * 255) in float32, docs/conventions.md §2.7). Values
 * outside [0, 1] or NaN are rejected (torchmetrics leaves them undefined). */
fidcpp_status fidcpp_evaluator_add_image_f32(fidcpp_evaluator* evaluator, fidcpp_side side,
                                             const float* pixels, int width, int height, size_t row_stride);

/* Adds every image of a folder, zip archive or list file (see the README), in sorted order. */
fidcpp_status fidcpp_evaluator_add_path(fidcpp_evaluator* evaluator, fidcpp_side side, const char* path);

/* Scaling out (docs/scaling.md). Adds shard shard_index (0-based) of shard_count of a path: the
 * contiguous slice [floor(shard_index * n / shard_count), floor((shard_index + 1) * n / shard_count)) of the
 * sorted file list (or of the rows of a .npy), so the shards 0..shard_count-1 concatenated are exactly the
 * unsharded inputs in order. A .npz statistics file cannot be split and goes wholly to shard 0. Statistics of
 * the shards merged in shard order equal the unsharded ones up to float64 summation order (see the README).
 * A side filled this way may be saved with fewer than 2 images (a small shard): the file then holds only the
 * mergeable keys n, sum and sum_outer. */
fidcpp_status fidcpp_evaluator_add_path_shard(fidcpp_evaluator* evaluator, fidcpp_side side, const char* path,
                                              int shard_index, int shard_count);

/* Adds n per-image feature vectors from the caller's own extractor to one side: features holds n rows of dim
 * floats, row-major (only read during the call). dim must equal the evaluator's feature_dim, else
 * FIDCPP_STATUS_INVALID_ARGUMENT naming both dimensions. Images still buffered on either side are processed
 * first, so the order of the rows is kept. The rows count toward the side's statistics and, with
 * keep_features, are kept (fidcpp_evaluator_get_features returns them); no logits are added for them. A NaN
 * or infinite value rejects the whole call (the message names the row and column) and adds nothing. n = 0
 * is a no-op (features may then be NULL). The result equals adding the same rows from a .npy file with
 * fidcpp_evaluator_add_path. */
fidcpp_status fidcpp_evaluator_add_features(fidcpp_evaluator* evaluator, fidcpp_side side,
                                            const float* features, int64_t n, int64_t dim);

/* The mergeable running sums of a side: *count images, sum (feature_dim doubles) and sum_outer (feature_dim
 * x feature_dim doubles, row-major, symmetric). sum and sum_outer may be NULL to ask for the count only.
 * Fails for a side that holds pytorch-fid statistics (mu, sigma only). */
fidcpp_status fidcpp_evaluator_get_moments(fidcpp_evaluator* evaluator, fidcpp_side side, uint64_t* count,
                                           double* sum, double* sum_outer);

/* The per-image features (rows x feature_dim floats, keep_features) or logits (rows x 1008 floats,
 * keep_logits) of a side, in the order the images were added. With out NULL only *rows is set; otherwise
 * capacity_rows must be >= the number of rows. */
fidcpp_status fidcpp_evaluator_get_features(fidcpp_evaluator* evaluator, fidcpp_side side, float* out,
                                            uint64_t capacity_rows, uint64_t* rows);
fidcpp_status fidcpp_evaluator_get_logits(fidcpp_evaluator* evaluator, fidcpp_side side, float* out,
                                          uint64_t capacity_rows, uint64_t* rows);

/* Merges the partial state of another evaluator (another shard, e.g. an MPI rank) into a side: count images
 * with the sums sum / sum_outer (as from fidcpp_evaluator_get_moments), and their features / logits (count
 * rows each), appended after the side's own. features (logits) are required when this evaluator keeps them
 * and count > 0, and ignored otherwise (may be NULL). */
fidcpp_status fidcpp_evaluator_merge_partial(fidcpp_evaluator* evaluator, fidcpp_side side, uint64_t count,
                                             const double* sum, const double* sum_outer,
                                             const float* features, const float* logits);

/* Processes buffered images now. */
fidcpp_status fidcpp_evaluator_flush(fidcpp_evaluator* evaluator);

/* Number of images added to a side so far (after flushing). */
fidcpp_status fidcpp_evaluator_count(fidcpp_evaluator* evaluator, fidcpp_side side, uint64_t* count);

/* Number of files skipped on a side because they could not be decoded (skip_bad_images). */
fidcpp_status fidcpp_evaluator_skipped(fidcpp_evaluator* evaluator, fidcpp_side side, uint64_t* count);

/* Sources of a side served from the cache (*hits) and extracted then stored in it (*misses) so far. Either
 * pointer may be NULL. */
fidcpp_status fidcpp_evaluator_cache_info(fidcpp_evaluator* evaluator, fidcpp_side side, uint64_t* hits,
                                          uint64_t* misses);

/* Forgets one side (like torchmetrics' reset with reset_real_features=False when side is GENERATED). */
fidcpp_status fidcpp_evaluator_reset(fidcpp_evaluator* evaluator, fidcpp_side side);

/* Saves a side's statistics as .npz (pytorch-fid keys mu, sigma plus mergeable n, sum, sum_outer). Fails if
 * path exists and overwrite is 0. */
fidcpp_status fidcpp_evaluator_save_stats(fidcpp_evaluator* evaluator, fidcpp_side side, const char* path,
                                          int overwrite);

/* Adds statistics from a mergeable .npz (written by fidcpp) to a side, or replaces the side's statistics by a
 * pytorch-fid .npz (mu, sigma only; then no more images can be added to that side). */
fidcpp_status fidcpp_evaluator_load_stats(fidcpp_evaluator* evaluator, fidcpp_side side, const char* path);

/* FID between the two sides (docs/conventions.md §3). Needs >= 2 images per side. */
fidcpp_status fidcpp_fid_compute(fidcpp_evaluator* evaluator, double* fid);

/* KID (docs/conventions.md §5, torch-fidelity sampling): subsets (default 100), subset_size (default 1000),
 * polynomial kernel of degree 3, gamma = 1/D, coef0 = 1. Needs keep_features. */
fidcpp_status fidcpp_kid_compute(fidcpp_evaluator* evaluator, int subsets, int subset_size, double* mean,
                                 double* std);

/* Inception Score of a side (docs/conventions.md §4, torch-fidelity conventions: 10 splits, seeded shuffle,
 * population std). Needs keep_logits. */
fidcpp_status fidcpp_is_compute(fidcpp_evaluator* evaluator, fidcpp_side side, int splits, double* mean,
                                double* std);

/* MiFID (docs/conventions.md §6, torchmetrics conventions); cosine_eps default 0.1. Needs keep_features. */
fidcpp_status fidcpp_mifid_compute(fidcpp_evaluator* evaluator, double cosine_eps, double* mifid);

/* Precision / recall / F-score (docs/conventions.md §7, torch-fidelity conventions with Inception features);
 * neighborhood default 3. Needs keep_features. */
fidcpp_status fidcpp_prc_compute(fidcpp_evaluator* evaluator, int neighborhood, double* precision,
                                 double* recall, double* f_score);

/* Density and coverage (Naeem et al. 2020), equal to PyPI prdc 0.2's compute_prdc(real, generated, nearest_k)
 * on the same features as float64 (docs/metrics-extra.md); nearest_k default 5. Needs keep_features, more
 * than nearest_k real images and at least one generated image. */
fidcpp_status fidcpp_dc_compute(fidcpp_evaluator* evaluator, int nearest_k, double* density,
                                double* coverage);

/* FID-infinity and IS-infinity (Chong & Forsyth, CVPR 2020; docs/metrics-extra.md): the metric of random
 * subsets of the generated side at num_points sizes N evenly spaced from min_n to the generated count, a
 * least-squares line over 1/N and its value at 1/N = 0. Subsets from numpy RandomState(seed) shuffles:
 * reproducible for a seed, independent of the thread count. */
typedef struct fidcpp_infinity_options {
  uint32_t struct_size; /* sizeof(fidcpp_infinity_options); set by fidcpp_infinity_options_default */
  int num_points;       /* subset sizes, >= 2 (default 15) */
  int64_t min_n;        /* smallest subset size (default 5000); must be below the generated count */
  uint32_t seed;        /* default 2020 */
} fidcpp_infinity_options;

/* Fills *options with defaults. */
void fidcpp_infinity_options_default(fidcpp_infinity_options* options);

/* FID-infinity of the generated side against the real side's statistics. options NULL = defaults. sizes and
 * values, when not NULL, receive the num_points subset sizes and FIDs of the fit. Needs keep_features. */
fidcpp_status fidcpp_fid_infinity_compute(fidcpp_evaluator* evaluator, const fidcpp_infinity_options* options,
                                          double* value, int64_t* sizes, double* values);

/* IS-infinity of the generated side (each subset's Inception Score with one split), as above. Needs
 * keep_logits. */
fidcpp_status fidcpp_is_infinity_compute(fidcpp_evaluator* evaluator, const fidcpp_infinity_options* options,
                                         double* value, int64_t* sizes, double* values);

/* Bootstrap percentile confidence intervals for FID and KID (docs/metrics-extra.md): the metric of
 * `replicates` resamples in which both sides are drawn independently with replacement (n draws each) from
 * their kept features; low and high are the replicates' (1 - level)/2 and (1 + level)/2 quantiles (numpy's
 * linear interpolation). The point estimate stays fidcpp_fid_compute / fidcpp_kid_compute. Replicate b draws
 * from numpy RandomState(s_b), s_b = RandomState(seed).randint(0, 2**32, size=replicates, dtype=uint32)[b]:
 * reproducible for a seed and bitwise independent of the thread count (the replicates run on the evaluator's
 * threads). Needs keep_features and per-image features on both sides (images or .npy, not .npz). */
typedef struct fidcpp_bootstrap_options {
  uint32_t struct_size; /* sizeof(fidcpp_bootstrap_options); set by fidcpp_bootstrap_options_default */
  double level;         /* confidence level in (0, 1) (default 0.95) */
  int replicates;       /* resamples, 2 .. 100000 (default 200) */
  uint32_t seed;        /* default 2020 */
} fidcpp_bootstrap_options;

/* Fills *options with defaults. */
void fidcpp_bootstrap_options_default(fidcpp_bootstrap_options* options);

/* Interval of FID into *low and *high. options NULL = defaults. values, when not NULL, must hold
 * options->replicates doubles and receives each replicate's FID, in replicate order. */
fidcpp_status fidcpp_fid_bootstrap_compute(fidcpp_evaluator* evaluator,
                                           const fidcpp_bootstrap_options* options, double* low, double* high,
                                           double* values);

/* Interval of the KID mean; each replicate is fidcpp_kid_compute(subsets, subset_size) of the resampled
 * sides (the same seeded subsets in every replicate), as above. */
fidcpp_status fidcpp_kid_bootstrap_compute(fidcpp_evaluator* evaluator, int subsets, int subset_size,
                                           const fidcpp_bootstrap_options* options, double* low, double* high,
                                           double* values);

/* Static string for a status code. */
const char* fidcpp_status_name(fidcpp_status status);

/* The names of the modes ("torch-fidelity", "torchmetrics", "pytorch-fid", "clean-fid",
 * "clean-fid-legacy-tf") and devices ("cpu", "cuda", "auto"), as the CLI spells them. The name functions
 * return a static string, or NULL for a value that is not a mode / device (so a caller can list them all by
 * counting from 0 until NULL). The parsers set *out and return FIDCPP_STATUS_OK for an exact name, else
 * FIDCPP_STATUS_INVALID_ARGUMENT (fidcpp_last_error() lists the names). Thread-safe. */
const char* fidcpp_mode_name(fidcpp_mode mode);
fidcpp_status fidcpp_mode_from_name(const char* name, fidcpp_mode* out);
const char* fidcpp_device_name(fidcpp_device device);
fidcpp_status fidcpp_device_from_name(const char* name, fidcpp_device* out);

#ifdef __cplusplus
}
#endif

#endif /* FIDCPP_FIDCPP_H_ */
