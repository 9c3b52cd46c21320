/*
 * brine_module.h: the C ABI of Brine shared-object execution modules.
 *
 * A shared object placed in a module directory (<extension_modules>/modules,
 * or <dir>/modules / <dir>/_modules for each `module_dirs` entry) named
 * <name>.so provides the execution module <name>. Brine loads it with
 * dlopen(RTLD_NOW | RTLD_LOCAL) the first time one of its functions is needed
 * and calls it in-process. Only install code you trust as much as Brine
 * itself: a crash in the module is a crash of the minion.
 *
 * The data exchanged is JSON text in UTF-8, the same documents the executable
 * module protocol uses (docs/modules.md):
 *
 *   describe:  {"module": "<name>", "functions": {"<fun>": {"doc": "...",
 *               "params": ["a", {"name": "b", "default": 1}],
 *               "varargs": false, "kwargs": false}}, "thread_safe": false}
 *   request:   {"fun": "<fun>", "args": [...], "kwargs": {...},
 *               "params": {...}, "opts": {...}, "grains": {...},
 *               "pillar": {...}, "jid": "..."}
 *   response:  {"return": <value>, "retcode": 0}   or   {"error": "<message>"}
 *
 * Calls into one module are serialised by Brine unless its description says
 * "thread_safe": true.
 */
#ifndef BRINE_MODULE_H_
#define BRINE_MODULE_H_

#define BRINE_MODULE_ABI_VERSION 1

#ifdef __cplusplus
extern "C" {
#endif

/* The BRINE_MODULE_ABI_VERSION the module was built against. Brine refuses
 * a module whose version it does not implement. */
int brine_module_abi_version(void);

/* The module's description (JSON, see above). The string is owned by the
 * module and must stay valid until the process exits. */
const char* brine_module_describe(void);

/* Runs one call. `request_json` is a NUL-terminated request document, valid
 * for the duration of the call. On return *response_json must point to a
 * NUL-terminated response document allocated by the module (Brine releases
 * it with brine_module_free), or be NULL. Returns 0 when the response is
 * meaningful; non-zero makes the call fail with the response text (if any)
 * as the error message. */
int brine_module_call(const char* request_json, char** response_json);

/* Releases a response returned by brine_module_call. */
void brine_module_free(char* response_json);

#ifdef __cplusplus
}
#endif

#endif /* BRINE_MODULE_H_ */
