# iotp2p.cmake: iotp2p_generate(), which compiles iotp2p schemas to C codecs (`iotp2p gen c`) and
# builds them with the runtime as a static library that a firmware target links.
#
#   include(path/to/codec-c/cmake/iotp2p.cmake)   # or, in Zephyr, list codec-c as a module
#   iotp2p_generate(TARGET lamp_codec
#                   SCHEMAS schema/lamp.iotp
#                   [INCLUDE_DIRS dir...]           # -I for imported schema files
#                   [FORM tables|code]              # `iotp2p gen c --form`: tables (default) or
#                                                   # code, smaller for a schema of a few fields
#                   [DROP_UNKNOWN_FIELDS]           # unknown fields checked, not kept (firmware
#                                                   # that never re-encodes what it decodes)
#                   [STRINGS zero-copy|copy]        # `iotp2p gen c --strings`: strings and bytes
#                                                   # point into the input (default) or are copied
#                                                   # into the struct, which outlives the input
#                   [JSON])                         # also the optional JSON units (hosted C99)
#   target_link_libraries(app PRIVATE lamp_codec)
#
# The generated files go to ${CMAKE_CURRENT_BINARY_DIR}/iotp2p/<TARGET>/ and are written again when
# a schema changes. Which files a schema yields (one pair per package, imported ones included) is
# only known by compiling it, so the function compiles the schemas once when CMake configures, and
# CMake configures again when a schema changes.
#
# The tool is IOTP2P_EXECUTABLE (a cache variable; default: `iotp2p` on the PATH, as
# `cargo install --path codegen` puts it).

# Included by the application's CMakeLists.txt (or by the Zephyr module), whose cmake_minimum_required
# and policies stay as they are: nothing here needs more than CMake 3.20, and including it twice
# defines the function once.
include_guard(GLOBAL)

# The runtime's sources, next to this file whatever the including project.
set(IOTP2P_RUNTIME_DIR "${CMAKE_CURRENT_LIST_DIR}/../runtime" CACHE INTERNAL "")

function(iotp2p_generate)
  cmake_parse_arguments(PARSE_ARGV 0 ARG "JSON;DROP_UNKNOWN_FIELDS" "TARGET;FORM;STRINGS" "SCHEMAS;INCLUDE_DIRS")
  if(NOT ARG_TARGET OR NOT ARG_SCHEMAS)
    message(FATAL_ERROR "iotp2p_generate: TARGET and SCHEMAS are required")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "iotp2p_generate: unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT IOTP2P_EXECUTABLE)
    find_program(IOTP2P_EXECUTABLE iotp2p)
  endif()
  if(NOT IOTP2P_EXECUTABLE)
    message(FATAL_ERROR "iotp2p_generate: the iotp2p tool was not found; install it "
                        "(cargo install --path codegen) or set IOTP2P_EXECUTABLE")
  endif()

  set(out "${CMAKE_CURRENT_BINARY_DIR}/iotp2p/${ARG_TARGET}")
  set(schemas "")
  foreach(schema IN LISTS ARG_SCHEMAS)
    get_filename_component(schema "${schema}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND schemas "${schema}")
  endforeach()
  set(includes "")
  foreach(dir IN LISTS ARG_INCLUDE_DIRS)
    get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND includes -I "${dir}")
  endforeach()
  set(form "")
  if(ARG_FORM)
    set(form --form "${ARG_FORM}")
  endif()
  if(ARG_DROP_UNKNOWN_FIELDS)
    list(APPEND form --drop-unknown-fields)
  endif()
  if(ARG_STRINGS)
    list(APPEND form --strings "${ARG_STRINGS}")
  endif()
  # Copied strings in tables: the runtime's interpreters read them when built with this.
  set(copied_strings "")
  if(ARG_STRINGS STREQUAL "copy")
    set(copied_strings IOTP_COPIED_STRINGS)
  endif()
  set(command "${IOTP2P_EXECUTABLE}" gen c ${schemas} ${includes} ${form} -o "${out}")

  # Once now, to learn the files; errors are the compiler's diagnostics, shown as they are.
  file(REMOVE_RECURSE "${out}")
  execute_process(COMMAND ${command} RESULT_VARIABLE status ERROR_VARIABLE diagnostics)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "iotp2p_generate(${ARG_TARGET}): the schemas did not compile\n${diagnostics}")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${schemas})

  file(GLOB generated "${out}/*.c" "${out}/*.h")
  file(GLOB json_units "${out}/*_json.c" "${out}/*_json.h")
  set(sources "${IOTP2P_RUNTIME_DIR}/iotp2p.c")
  set(codec ${generated})
  if(json_units)
    list(REMOVE_ITEM codec ${json_units})
  endif()
  list(FILTER codec INCLUDE REGEX "\\.c$")
  list(APPEND sources ${codec})
  if(ARG_JSON)
    set(json_sources ${json_units})
    list(FILTER json_sources INCLUDE REGEX "\\.c$")
    list(APPEND sources "${IOTP2P_RUNTIME_DIR}/iotp2p_json.c" ${json_sources})
  endif()

  # And again whenever a schema or the tool changes.
  add_custom_command(
    OUTPUT ${generated}
    COMMAND ${command}
    DEPENDS ${schemas} "${IOTP2P_EXECUTABLE}"
    COMMENT "iotp2p gen c: ${ARG_TARGET}"
    VERBATIM)

  add_library(${ARG_TARGET} STATIC ${sources})
  target_include_directories(${ARG_TARGET} PUBLIC "${out}" "${IOTP2P_RUNTIME_DIR}")
  if(copied_strings)
    target_compile_definitions(${ARG_TARGET} PUBLIC ${copied_strings})
  endif()
  set_target_properties(${ARG_TARGET} PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  # In a Zephyr build, the kernel's compile options (CPU, ABI, optimisation) apply to the codec too.
  if(TARGET zephyr_interface)
    target_link_libraries(${ARG_TARGET} PUBLIC zephyr_interface)
  endif()
  # Zephyr's generated headers (reached through its include paths) exist before the codec builds.
  if(TARGET zephyr_generated_headers)
    add_dependencies(${ARG_TARGET} zephyr_generated_headers)
  endif()
endfunction()
