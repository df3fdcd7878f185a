/* cmark-gfm-extensions_export.h: what CMake's GenerateExportHeader writes for cmark-gfm's static library
 * (CMARK_GFM_EXTENSIONS_STATIC_DEFINE), written here and reviewed, since CMake does not run in a WASI step.
 * A static library exports by being linked, so the export macros are empty. */
#ifndef CMARK_GFM_EXTENSIONS_EXPORT_H
#define CMARK_GFM_EXTENSIONS_EXPORT_H

#define CMARK_GFM_EXTENSIONS_EXPORT
#define CMARK_GFM_EXTENSIONS_NO_EXPORT
#define CMARK_GFM_EXTENSIONS_DEPRECATED __attribute__((__deprecated__))
#define CMARK_GFM_EXTENSIONS_DEPRECATED_EXPORT CMARK_GFM_EXTENSIONS_EXPORT CMARK_GFM_EXTENSIONS_DEPRECATED
#define CMARK_GFM_EXTENSIONS_DEPRECATED_NO_EXPORT CMARK_GFM_EXTENSIONS_NO_EXPORT CMARK_GFM_EXTENSIONS_DEPRECATED

#endif
