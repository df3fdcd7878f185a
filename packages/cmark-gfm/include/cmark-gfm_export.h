/* cmark-gfm_export.h: what CMake's GenerateExportHeader writes for cmark-gfm's static library
 * (CMARK_GFM_STATIC_DEFINE), written here and reviewed, since CMake does not run in a WASI step.
 * A static library exports by being linked, so the export macros are empty. */
#ifndef CMARK_GFM_EXPORT_H
#define CMARK_GFM_EXPORT_H

#define CMARK_GFM_EXPORT
#define CMARK_GFM_NO_EXPORT
#define CMARK_GFM_DEPRECATED __attribute__((__deprecated__))
#define CMARK_GFM_DEPRECATED_EXPORT CMARK_GFM_EXPORT CMARK_GFM_DEPRECATED
#define CMARK_GFM_DEPRECATED_NO_EXPORT CMARK_GFM_NO_EXPORT CMARK_GFM_DEPRECATED

#endif
