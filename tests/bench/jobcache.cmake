# Job cache ingestion benchmark (returns/s). Included from tests/bench/CMakeLists.txt:
#   include(${CMAKE_CURRENT_SOURCE_DIR}/jobcache.cmake)
add_executable(jobcache_bench ${CMAKE_CURRENT_LIST_DIR}/jobcache_bench.cpp)
target_link_libraries(jobcache_bench PRIVATE brine_options brine_jobcache brine_values)
