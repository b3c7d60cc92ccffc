# A CMake toolchain file for a bare-metal Cortex-M4 (arm-none-eabi-gcc from Debian's
# gcc-arm-none-eabi, which scripts/setup-c installs): Thumb-2, one section per function so that
# the link keeps only what the firmware calls, no C library and no start-up files (the board's SDK
# brings them).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
# A bare-metal compiler cannot link a test program without start-up files: check it with a library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_C_FLAGS_INIT "-mcpu=cortex-m4 -mthumb -ffreestanding -ffunction-sections -fdata-sections")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostdlib -nostartfiles -Wl,--gc-sections")
