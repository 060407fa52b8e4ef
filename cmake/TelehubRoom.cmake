# telehub_room(<target> <folder> [DEPS ...]): one folder of the source tree
# as one static library, linking only what that folder's concern needs
# (docs/architecture.md). Sources are the folder's own *.cpp, not its
# sub-folders', and main.cpp is left to the program.
function(telehub_room target folder)
  cmake_parse_arguments(ROOM "" "" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${folder}/*.cpp)
  list(REMOVE_ITEM srcs ${CMAKE_CURRENT_SOURCE_DIR}/${folder}/main.cpp)
  add_library(${target} STATIC ${srcs})
  # Includes name their room from the project root: "agent/collect/proc/proc.hpp".
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${target} PUBLIC ${ROOM_DEPS})
endfunction()
