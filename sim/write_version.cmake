# Writes generated/version.hpp from version.hpp.in with the source tree's git revision, marked "-dirty" when
# tracked files have uncommitted changes. Run by every build, not only at configure time, so the revision that
# output headers record follows later commits; configure_file leaves the header untouched when nothing changed.
# Inputs: SOURCE_DIR, TEMPLATE, OUTPUT, PROJECT_VERSION.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE MOBSIM_GIT_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(MOBSIM_GIT_REVISION)
  execute_process(COMMAND git diff --quiet HEAD -- WORKING_DIRECTORY ${SOURCE_DIR} RESULT_VARIABLE modified
                  OUTPUT_QUIET ERROR_QUIET)
  if(NOT modified EQUAL 0)
    string(APPEND MOBSIM_GIT_REVISION "-dirty")
  endif()
else()
  set(MOBSIM_GIT_REVISION "unknown")
endif()
configure_file(${TEMPLATE} ${OUTPUT} @ONLY)
