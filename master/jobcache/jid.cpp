#include "master/jobcache/jid.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace brine::jobcache {
namespace {

constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool all_digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// Calendar fields to µs since the epoch; nullopt when the date is not real.
std::optional<int64_t> to_us(int year, int mon, int day, int hour, int min, int sec, int64_t usec) {
  if (year < 1970 || year > 9999 || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 ||
      min > 59 || sec > 60 || usec < 0 || usec > 999999) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  time_t t = timegm(&tm);
  std::tm back{};
  gmtime_r(&t, &back);
  if (back.tm_mday != day || back.tm_mon != mon - 1) return std::nullopt;  // e.g. Feb 30
  return static_cast<int64_t>(t) * 1000000 + usec;
}

// "HH:MM[:SS[.ffffff]]" -> fields; false when malformed.
bool parse_clock(std::string_view s, int& h, int& m, int& sec, int64_t& usec) {
  if (s.size() < 5 || s[2] != ':' || !all_digits(s.substr(0, 2)) || !all_digits(s.substr(3, 2))) {
    return false;
  }
  h = to_int(s.substr(0, 2));
  m = to_int(s.substr(3, 2));
  sec = 0;
  usec = 0;
  s.remove_prefix(5);
  if (s.empty()) return true;
  if (s.size() < 3 || s[0] != ':' || !all_digits(s.substr(1, 2))) return false;
  sec = to_int(s.substr(1, 2));
  s.remove_prefix(3);
  if (s.empty()) return true;
  if (s[0] != '.' || s.size() < 2 || s.size() > 7 || !all_digits(s.substr(1))) return false;
  std::string frac(s.substr(1));
  frac.resize(6, '0');
  usec = to_int(frac);
  return true;
}

}  // namespace

int64_t system_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

JidGenerator::JidGenerator(Clock now, std::string suffix)
    : now_(std::move(now)), suffix_(std::move(suffix)) {}

std::string JidGenerator::next() {
  std::lock_guard lock(mu_);
  int64_t now = now_();
  if (now <= last_us_) now = last_us_ + 1;
  last_us_ = now;
  std::string jid = jid_from_unix_us(now);
  if (!suffix_.empty()) jid += "_" + suffix_;
  return jid;
}

std::string make_jid() {
  static JidGenerator generator;
  return generator.next();
}

bool valid_jid(std::string_view jid) {
  if (jid.size() < 20 || !all_digits(jid.substr(0, 20))) return false;
  if (jid.size() == 20) return true;
  std::string_view suffix = jid.substr(20);
  if (suffix[0] != '_' || suffix.size() < 2 || suffix.size() > 65) return false;
  for (char c : suffix.substr(1)) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!ok) return false;
  }
  return true;
}

std::string jid_from_unix_us(int64_t us) {
  if (us < 0) us = 0;
  time_t secs = static_cast<time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];  // generous: the compiler cannot bound every field
  std::snprintf(buf, sizeof(buf), "%04d%02d%02d%02d%02d%02d%06lld", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(us % 1000000));
  return buf;
}

std::optional<int64_t> jid_to_unix_us(std::string_view jid) {
  if (!valid_jid(jid)) return std::nullopt;
  return to_us(to_int(jid.substr(0, 4)), to_int(jid.substr(4, 2)), to_int(jid.substr(6, 2)),
               to_int(jid.substr(8, 2)), to_int(jid.substr(10, 2)), to_int(jid.substr(12, 2)),
               to_int(jid.substr(14, 6)));
}

std::string jid_to_start_time(std::string_view jid) {
  if (!valid_jid(jid)) return {};
  int month = to_int(jid.substr(4, 2));
  if (month < 1 || month > 12) return {};
  std::string out;
  out.reserve(28);
  out.append(jid.substr(0, 4)).append(", ").append(kMonths[static_cast<size_t>(month - 1)]);
  out.append(" ").append(jid.substr(6, 2)).append(" ").append(jid.substr(8, 2)).append(":");
  out.append(jid.substr(10, 2)).append(":").append(jid.substr(12, 2)).append(".");
  out.append(jid.substr(14, 6));
  return out;
}

Result<int64_t> parse_time(std::string_view text) {
  auto bad = [&] {
    return make_error(Errc::kInvalidArgument, "could not parse time '" + std::string(text) + "'");
  };
  std::string_view s = text;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.size() == 20 && all_digits(s)) {
    auto us = jid_to_unix_us(s);
    if (!us) return bad();
    return *us;
  }
  int h = 0, m = 0, sec = 0;
  int64_t usec = 0;
  // "2024, Mar 01 10:15:02.123456"
  if (s.size() >= 12 && s[4] == ',' && s[5] == ' ' && all_digits(s.substr(0, 4))) {
    int month = 0;
    for (size_t i = 0; i < kMonths.size(); ++i) {
      if (s.substr(6, 3) == kMonths[i]) month = static_cast<int>(i) + 1;
    }
    if (month == 0 || s[9] != ' ' || !all_digits(s.substr(10, 2))) return bad();
    std::string_view rest = s.substr(12);
    if (!rest.empty()) {
      if (rest[0] != ' ' || !parse_clock(rest.substr(1), h, m, sec, usec)) return bad();
    }
    auto us = to_us(to_int(s.substr(0, 4)), month, to_int(s.substr(10, 2)), h, m, sec, usec);
    if (!us) return bad();
    return *us;
  }
  // "2024-03-01[ T]HH:MM[:SS[.ffffff]][Z]"
  if (s.size() >= 10 && (s[4] == '-' || s[4] == '/') && s[7] == s[4] &&
      all_digits(s.substr(0, 4)) && all_digits(s.substr(5, 2)) && all_digits(s.substr(8, 2))) {
    std::string_view rest = s.substr(10);
    if (!rest.empty() && rest.back() == 'Z') rest.remove_suffix(1);
    if (!rest.empty()) {
      if ((rest[0] != ' ' && rest[0] != 'T') || !parse_clock(rest.substr(1), h, m, sec, usec)) {
        return bad();
      }
    }
    auto us = to_us(to_int(s.substr(0, 4)), to_int(s.substr(5, 2)), to_int(s.substr(8, 2)), h, m,
                    sec, usec);
    if (!us) return bad();
    return *us;
  }
  return bad();
}

}  // namespace brine::jobcache
