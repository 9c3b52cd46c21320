// Filter and test tables (internal): each source file contributes its entries.
#pragma once

#include <string_view>
#include <unordered_map>

#include "common/template/ast.h"

namespace brine::jinja {

using FilterTable = std::unordered_map<std::string_view, FilterFn>;
using TestTable = std::unordered_map<std::string_view, TestFn>;

void add_string_filters(FilterTable& t);  // filters.cpp
void add_seq_filters(FilterTable& t);     // filters_seq.cpp
void add_salt_filters(FilterTable& t);    // salt_filters.cpp
void add_set_filters(FilterTable& t);     // set_filters.cpp (called by add_salt_filters)
void add_tests(TestTable& t);             // tests.cpp

RV dictsort_filter(Interp& in, Val& v, CallArgs& a);  // dictsort.cpp

}  // namespace brine::jinja
