/**
 * Which environment variables a deployment may give its runtime on the local host.
 *
 * A replica on the host H-MAS runs on shares the machine with the control plane, so a variable
 * that makes a loader or an interpreter run code (NODE_OPTIONS, LD_PRELOAD, PYTHONPATH, …) must
 * never reach it from user settings. The rule is an allowlist: a name passes when the runtime
 * documents it or it belongs to a small family of well-known, code-free tuning variables; hooks
 * are refused even inside an allowed family; and the variables H-MAS sets itself (PATH, HOME, GPU
 * pinning, the listen address) cannot be replaced. On Kubernetes the pod is the boundary: only
 * the name/value format checks of the optimization schema apply there.
 *
 * Pure: the runtime's documented variables are passed in (each adapter lists them).
 */

/** The variables a runtime documents: exact names, or families written `PREFIX_*`, and where they are documented. */
export interface RuntimeEnvDocs {
  variables: readonly string[];
  /**
   * Documented variables H-MAS renders from the replica's address or otherwise owns (Ollama's
   * OLLAMA_HOST, TGI's PORT): replacing them would move the listener out of H-MAS's reach.
   */
  reserved?: readonly string[];
  docs: readonly string[];
}

/** Families every runtime may get on the host, with why they are safe. */
export const SAFE_ENV_FAMILIES: ReadonlyArray<{ pattern: string; why: string }> = [
  { pattern: 'CUDA_*', why: 'CUDA runtime and driver tuning (CUDA_LAUNCH_BLOCKING, CUDA_MODULE_LOADING, CUDA_DEVICE_MAX_CONNECTIONS)' },
  { pattern: 'NCCL_*', why: 'NCCL collective tuning (NCCL_DEBUG, NCCL_P2P_DISABLE, NCCL_IB_DISABLE, NCCL_SOCKET_IFNAME)' },
  { pattern: 'HF_*', why: 'Hugging Face Hub client settings (HF_HUB_OFFLINE, HF_HOME, HF_HUB_ENABLE_HF_TRANSFER)' },
  { pattern: 'OMP_*', why: 'OpenMP threading (OMP_NUM_THREADS, OMP_PROC_BIND)' },
  { pattern: 'MKL_NUM_THREADS', why: 'Intel MKL thread count' },
  { pattern: 'OPENBLAS_NUM_THREADS', why: 'OpenBLAS thread count' },
  { pattern: 'TOKENIZERS_PARALLELISM', why: 'Hugging Face tokenizers threading' },
  { pattern: 'TRANSFORMERS_OFFLINE', why: 'transformers offline mode' },
  { pattern: 'PYTORCH_CUDA_ALLOC_CONF', why: 'PyTorch CUDA allocator tuning (expandable_segments, max_split_size_mb)' },
];

/**
 * Loader and interpreter hooks: each makes a dynamic loader, an interpreter or a library load
 * code or configuration from somewhere the user names. Refused on the host even where a family
 * or a runtime's documentation would allow the name.
 */
export const ENV_HOOKS: ReadonlyArray<{ pattern: string; what: string }> = [
  // The dynamic loader (glibc and musl ld.so; glibc's unsecvars.h lists what setuid programs drop).
  { pattern: 'LD_*', what: 'a dynamic loader setting (LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT load shared libraries)' },
  { pattern: 'DYLD_*', what: 'a dynamic loader setting' },
  { pattern: 'GLIBC_TUNABLES', what: 'a glibc loader setting' },
  { pattern: 'GCONV_PATH', what: 'where glibc loads iconv modules (shared libraries) from' },
  { pattern: 'GETCONF_DIR', what: 'a glibc path read by the C library' },
  { pattern: 'LOCPATH', what: 'where glibc reads locale data from' },
  { pattern: 'NLSPATH', what: 'where the C library reads message catalogs from' },
  { pattern: 'HOSTALIASES', what: 'a file the resolver reads' },
  { pattern: 'RESOLV_HOST_CONF', what: 'a file the resolver reads' },
  { pattern: 'MALLOC_CONF', what: 'a jemalloc setting that can write files' },
  // Interpreters.
  { pattern: 'NODE_*', what: 'a Node.js setting (NODE_OPTIONS --import/--require runs code, NODE_PATH changes what is loaded)' },
  { pattern: 'PYTHONPATH', what: 'where Python imports modules from' },
  { pattern: 'PYTHONSTARTUP', what: 'a Python file run at start' },
  { pattern: 'PYTHONHOME', what: 'where Python loads its standard library from' },
  { pattern: 'PYTHONUSERBASE', what: 'where Python loads user site packages from' },
  { pattern: 'PYTHONEXECUTABLE', what: 'a Python interpreter setting' },
  { pattern: 'PYTHONWARNINGS', what: 'a Python setting that imports the modules it names' },
  { pattern: 'PYTHONBREAKPOINT', what: 'a Python setting that imports the callable it names' },
  { pattern: 'PYTHONINSPECT', what: 'a Python setting that opens an interactive prompt' },
  { pattern: 'BASH_ENV', what: 'a file bash runs at start' },
  { pattern: 'ENV', what: 'a file sh runs at start' },
  { pattern: 'BASH_FUNC_*', what: 'an exported bash function' },
  { pattern: 'SHELLOPTS', what: 'a shell setting' },
  { pattern: 'BASHOPTS', what: 'a shell setting' },
  { pattern: 'PS4', what: 'a shell prompt that runs command substitutions' },
  { pattern: 'PROMPT_COMMAND', what: 'a command the shell runs' },
  { pattern: 'IFS', what: 'a shell word splitting setting' },
  { pattern: 'PERL5OPT', what: 'options (-M modules) every perl takes' },
  { pattern: 'PERL5LIB', what: 'where perl loads modules from' },
  { pattern: 'PERLLIB', what: 'where perl loads modules from' },
  { pattern: 'PERL5DB', what: 'code the perl debugger runs' },
  { pattern: 'RUBYOPT', what: 'options (-r libraries) every ruby takes' },
  { pattern: 'RUBYLIB', what: 'where ruby loads libraries from' },
  { pattern: 'JAVA_TOOL_OPTIONS', what: 'options (-javaagent) every JVM takes' },
  { pattern: '_JAVA_OPTIONS', what: 'options every JVM takes' },
  { pattern: 'JDK_JAVA_OPTIONS', what: 'options the java launcher takes' },
  { pattern: 'CLASSPATH', what: 'where the JVM loads classes from' },
  { pattern: 'LUA_INIT*', what: 'Lua code run at start' },
  { pattern: 'LUA_PATH*', what: 'where Lua loads modules from' },
  { pattern: 'LUA_CPATH*', what: 'where Lua loads C modules from' },
  { pattern: 'PHPRC', what: 'a php.ini (auto_prepend_file) PHP reads' },
  { pattern: 'PHP_INI_SCAN_DIR', what: 'where PHP reads ini files from' },
  { pattern: 'TCLLIBPATH', what: 'where Tcl loads packages from' },
  // Libraries that load plugins or run programs they are told of.
  { pattern: 'OPENSSL_CONF', what: 'an OpenSSL configuration (it can load engines and providers)' },
  { pattern: 'OPENSSL_ENGINES', what: 'where OpenSSL loads engines from' },
  { pattern: 'OPENSSL_MODULES', what: 'where OpenSSL loads providers from' },
  { pattern: 'CUDA_INJECTION32_PATH', what: 'a library the CUDA driver injects into the process' },
  { pattern: 'CUDA_INJECTION64_PATH', what: 'a library the CUDA driver injects into the process' },
  { pattern: 'NCCL_NET_PLUGIN', what: 'a network plugin library NCCL loads' },
  { pattern: 'NCCL_TUNER_PLUGIN', what: 'a tuner plugin library NCCL loads' },
  { pattern: 'NCCL_PROFILER_PLUGIN', what: 'a profiler plugin library NCCL loads' },
  { pattern: 'NCCL_CONF_FILE', what: 'a file of NCCL settings (it could name plugins)' },
  { pattern: 'OMP_TOOL*', what: 'OpenMP tool libraries the runtime loads' },
  { pattern: 'GIT_*', what: 'a git setting (GIT_SSH_COMMAND, GIT_EXEC_PATH run programs)' },
  { pattern: 'SSH_ASKPASS', what: 'a program ssh runs' },
  { pattern: 'PAGER', what: 'a program tools run' },
  { pattern: 'EDITOR', what: 'a program tools run' },
  { pattern: 'VISUAL', what: 'a program tools run' },
  { pattern: 'BROWSER', what: 'a program tools run' },
];

/**
 * Variables the local driver sets for every replica and a deployment may not replace: where
 * programs are found, the home directory the runtime user may write, its GPUs, its address.
 */
export const HOST_RESERVED_ENV: ReadonlyArray<{ pattern: string; what: string }> = [
  { pattern: 'PATH', what: 'where the replica finds programs' },
  { pattern: 'HOME', what: "the replica's home directory" },
  { pattern: 'USER', what: 'the user the replica runs as' },
  { pattern: 'LOGNAME', what: 'the user the replica runs as' },
  { pattern: 'SHELL', what: 'the shell programs start' },
  { pattern: 'TMPDIR', what: "the replica's temporary directory" },
  { pattern: 'HMAS_*', what: "H-MAS's own settings" },
  { pattern: 'CUDA_VISIBLE_DEVICES', what: 'the GPUs H-MAS gives the replica' },
  { pattern: 'CUDA_DEVICE_ORDER', what: 'how the GPUs H-MAS gives the replica are numbered' },
  { pattern: 'NVIDIA_VISIBLE_DEVICES', what: 'the GPUs the replica sees' },
  { pattern: 'ROCR_VISIBLE_DEVICES', what: 'the GPUs the replica sees' },
  { pattern: 'HIP_VISIBLE_DEVICES', what: 'the GPUs the replica sees' },
  { pattern: 'GPU_DEVICE_ORDINAL', what: 'the GPUs the replica sees' },
];

/** `NAME` matches itself; `PREFIX*` matches every name starting with PREFIX. */
export function envPatternMatches(pattern: string, name: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

const firstMatch = <T extends { pattern: string }>(list: ReadonlyArray<T>, name: string): T | undefined => list.find((entry) => envPatternMatches(entry.pattern, name));

export type EnvRefusal = 'hook' | 'reserved' | 'undocumented';

export interface EnvIssue {
  name: string;
  /** JSON pointer into the optimization. */
  path: string;
  refusal: EnvRefusal;
  message: string;
}

export interface EnvCheckRuntime {
  displayName: string;
  /** Null: the runtime's list is not known here (the local driver without adapters); only hooks and reserved names are refused. */
  env: RuntimeEnvDocs | null;
}

/**
 * The variables among `names` a deployment may not give this runtime on the local host, each
 * with the reason. Empty = all allowed.
 */
export function checkHostRuntimeEnv(names: Iterable<string>, runtime: EnvCheckRuntime): EnvIssue[] {
  const issues: EnvIssue[] = [];
  for (const name of names) {
    const path = `/raw/extraEnv/${name}`;
    const hook = firstMatch(ENV_HOOKS, name);
    if (hook) {
      issues.push({ name, path, refusal: 'hook', message: `${name} is not allowed on the local host: it is ${hook.what}, which could run code on the H-MAS host.` });
      continue;
    }
    const reserved = firstMatch(HOST_RESERVED_ENV, name) ?? (runtime.env?.reserved?.includes(name) ? { what: `${runtime.displayName}'s listen address, which H-MAS sets` } : undefined);
    if (reserved) {
      issues.push({ name, path, refusal: 'reserved', message: `${name} is not allowed on the local host: H-MAS sets it (${reserved.what}).` });
      continue;
    }
    if (runtime.env === null) continue;
    const documented = runtime.env.variables.some((pattern) => envPatternMatches(pattern, name));
    if (documented || firstMatch(SAFE_ENV_FAMILIES, name)) continue;
    issues.push({
      name,
      path,
      refusal: 'undocumented',
      message: `${name} is not allowed on the local host: ${runtime.displayName} does not document it (see ${runtime.env.docs[0] ?? 'its documentation'}) and it is not in the allowed families (${SAFE_ENV_FAMILIES.map((family) => family.pattern).join(', ')}).`,
    });
  }
  return issues;
}

/** One sentence for an error answer: the first refusals, by name. */
export function describeEnvIssues(issues: readonly EnvIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => issue.message.replace(/\.$/, ''));
  return `${shown.join('; ')}${issues.length > 3 ? `; and ${issues.length - 3} more` : ''}.`;
}
