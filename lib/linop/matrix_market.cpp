#include "frechet/linop/matrix_market.hpp"

#include <clocale>
#include <locale.h>
#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <system_error>
#include <vector>

#include "csr_symmetry.hpp"
#include "frechet/core/error.hpp"

namespace frechet {

namespace {

using Text = std::string_view;

// The whole file is read at once and parsed in place: a line is a string_view into the buffer, numbers
// go through std::from_chars, and the line number costs one increment per line.

// Text of the file in a message: at most 60 bytes, each unprintable one (a binary file, /dev/zero)
// shown as \xHH.
std::string quoted(Text s) {
  constexpr std::size_t max_shown = 60;
  std::string out = "'";
  for (const char c : s.substr(0, max_shown)) {
    if (std::isprint(static_cast<unsigned char>(c)) || c == '\t') {
      out += c;
    } else {
      constexpr char hex[] = "0123456789abcdef";
      const auto u = static_cast<unsigned char>(c);
      out += {'\\', 'x', hex[u >> 4], hex[u & 15]};
    }
  }
  return out + (s.size() > max_shown ? "...'" : "'");
}

std::string os_reason() {
  const int code = errno;
  return code == 0 ? std::string() : ": " + std::error_code(code, std::generic_category()).message();
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// Whitespace-separated words of one line, taken one at a time; an empty word means the line is done.
class Words {
public:
  explicit Words(Text line) : rest_(line) {}
  Text next() {
    std::size_t b = 0;
    while (b < rest_.size() && is_blank(rest_[b])) ++b;
    std::size_t e = b;
    while (e < rest_.size() && !is_blank(rest_[e])) ++e;
    const Text word = rest_.substr(b, e - b);
    rest_.remove_prefix(e);
    return word;
  }

private:
  Text rest_;
};

bool equals_ignoring_case(Text a, Text b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Lines of a text held in memory. `fail` throws the ParseError for the line last returned.
class BufferLines {
public:
  BufferLines(std::string file, Text text)
      : file_(std::move(file)), p_(text.data()), end_(p_ + text.size()) {}

  bool next(Text& line) {
    if (p_ == end_) return false;
    const auto* nl = static_cast<const char*>(std::memchr(p_, '\n', static_cast<std::size_t>(end_ - p_)));
    const char* e = nl != nullptr ? nl : end_;
    line = Text(p_, static_cast<std::size_t>(e - p_));
    p_ = nl != nullptr ? nl + 1 : end_;
    ++line_;
    return true;
  }
  std::size_t remaining_bytes() const { return static_cast<std::size_t>(end_ - p_); }
  /// The 1-based number of the line last returned.
  std::size_t line() const { return line_; }
  [[noreturn]] void fail(const std::string& what) const { fail_at(line_, what); }
  [[noreturn]] void fail_at(std::size_t line, const std::string& what) const {
    throw ParseError(file_, std::max<std::size_t>(line, 1), what);
  }

private:
  std::string file_;
  const char* p_;
  const char* end_;
  std::size_t line_ = 0;
};

// The header reader's bound on one line; real headers' comment lines are far shorter.
constexpr std::size_t max_header_line = std::size_t{1} << 20;

// Lines read one by one from a stream, so that the header can be read without loading the file.
class StreamLines {
public:
  StreamLines(std::string file, std::istream& in) : file_(std::move(file)), in_(in) {}

  // A line may not exceed max_header_line bytes: a stream without newlines (/dev/zero) must not be
  // read until memory runs out.
  bool next(Text& line) {
    buffer_.clear();
    std::streambuf& in = *in_.rdbuf();
    bool any = false;
    for (;;) {
      const int c = in.sbumpc();
      if (c == std::char_traits<char>::eof()) break;
      any = true;
      if (c == '\n') break;
      if (buffer_.size() == max_header_line) {
        ++line_;
        fail("line longer than " + std::to_string(max_header_line) +
             " bytes in the header: not a Matrix Market file");
      }
      buffer_.push_back(static_cast<char>(c));
    }
    if (!any) return false;
    ++line_;
    line = buffer_;
    return true;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw ParseError(file_, std::max<std::size_t>(line_, 1), what);
  }

private:
  std::string file_;
  std::istream& in_;
  std::string buffer_;
  std::size_t line_ = 0;
};

// What a header may make the readers allocate before an entry is read. Each entry line names its
// row and column and takes at least 2 bytes, so a file whose entries take B bytes has nonzeros in
// at most B rows and B columns; CSR storage costs a few words per row, nonzero or not, and a dense
// matrix a double per element. So a size line may declare up to max(min_rows, B) rows and columns,
// and a dense read up to max(min_dense, B + 1) elements; anything larger is refused before it is
// allocated (a file of 66 bytes declaring 10^9 x 10^9 would otherwise take gigabytes).
constexpr std::size_t min_rows = std::size_t{1} << 20;
constexpr std::size_t min_dense = std::size_t{1} << 22;

void check_declared_size(const MatrixMarketHeader& h, const BufferLines& lines) {
  const std::size_t bytes = lines.remaining_bytes();
  const std::size_t limit = std::max(min_rows, bytes);
  if (h.rows > limit || h.cols > limit) {
    lines.fail("the size line declares a " + std::to_string(h.rows) + " x " + std::to_string(h.cols) +
               " matrix, but the " + std::to_string(bytes) + " bytes after it hold entries in at most " +
               std::to_string(bytes) + " rows and columns; refused, the reader allocates for at most max(" +
               std::to_string(min_rows) + ", bytes after the size line) rows and columns");
  }
}

bool is_comment_or_blank(Text line) {
  const Text first = Words(line).next();
  return first.empty() || first.front() == '%';
}

constexpr const char* banner_form = "'%%MatrixMarket matrix <coordinate|array> <real|integer|pattern> "
                                    "<general|symmetric|skew-symmetric>'";

template <class Lines>
void parse_banner(Text line, Lines& lines, MatrixMarketHeader& h) {
  Words words(line);
  if (!equals_ignoring_case(words.next(), "%%MatrixMarket")) {
    lines.fail(std::string("missing banner: expected ") + banner_form + ", got " + quoted(line));
  }
  const Text object = words.next(), format = words.next(), field = words.next(), symmetry = words.next();
  if (symmetry.empty()) {
    lines.fail(std::string("incomplete banner: expected ") + banner_form + ", got " + quoted(line));
  }
  if (!equals_ignoring_case(object, "matrix")) {
    lines.fail("unsupported object " + quoted(object) + " on the banner (expected 'matrix')");
  }
  if (equals_ignoring_case(format, "coordinate")) {
    h.format = MatrixMarketFormat::coordinate;
  } else if (equals_ignoring_case(format, "array")) {
    h.format = MatrixMarketFormat::array;
  } else {
    lines.fail("unsupported format " + quoted(format) + " on the banner (expected coordinate or array)");
  }
  if (equals_ignoring_case(field, "real")) {
    h.field = MatrixMarketField::real;
  } else if (equals_ignoring_case(field, "integer")) {
    h.field = MatrixMarketField::integer;
  } else if (equals_ignoring_case(field, "pattern")) {
    h.field = MatrixMarketField::pattern;
  } else {
    lines.fail("unsupported field " + quoted(field) + " on the banner (expected real, integer or pattern)");
  }
  if (equals_ignoring_case(symmetry, "general")) {
    h.symmetry = MatrixMarketSymmetry::general;
  } else if (equals_ignoring_case(symmetry, "symmetric")) {
    h.symmetry = MatrixMarketSymmetry::symmetric;
  } else if (equals_ignoring_case(symmetry, "skew-symmetric")) {
    h.symmetry = MatrixMarketSymmetry::skew_symmetric;
  } else {
    lines.fail("unsupported symmetry " + quoted(symmetry) +
               " on the banner (expected general, symmetric or skew-symmetric)");
  }
  if (const Text extra = words.next(); !extra.empty()) {
    lines.fail("unexpected " + quoted(extra) + " after the symmetry on the banner");
  }
  if (h.field == MatrixMarketField::pattern && h.format == MatrixMarketFormat::array) {
    lines.fail("unsupported combination on the banner: a pattern field needs coordinate format");
  }
  if (h.field == MatrixMarketField::pattern && h.symmetry == MatrixMarketSymmetry::skew_symmetric) {
    lines.fail("unsupported combination on the banner: a pattern field cannot be skew-symmetric");
  }
}

template <class Lines>
std::size_t parse_size(Text word, Text line, Lines& lines) {
  if (word.empty()) {
    lines.fail(std::string("bad size line: expected '") +
               "rows cols entries' (coordinate) or 'rows cols' (array), got " + quoted(line));
  }
  if (word.front() == '-') lines.fail("bad size line: negative size " + quoted(word));
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (ec == std::errc::result_out_of_range) lines.fail("bad size line: size " + quoted(word) + " is too large");
  if (ec != std::errc() || ptr != word.data() + word.size()) {
    lines.fail("bad size line: " + quoted(word) + " is not a nonnegative integer");
  }
  return static_cast<std::size_t>(value);
}

// Values an array file lists: m n, or one triangle of a square matrix. Fails on overflow.
template <class Lines>
std::size_t array_entries(const MatrixMarketHeader& h, Lines& lines) {
  const std::size_t max = std::numeric_limits<std::size_t>::max();
  if (h.rows != 0 && h.cols > max / h.rows) {
    lines.fail("bad size line: a " + std::to_string(h.rows) + " x " + std::to_string(h.cols) +
               " array is too large");
  }
  switch (h.symmetry) {
    case MatrixMarketSymmetry::general: return h.rows * h.cols;
    case MatrixMarketSymmetry::symmetric: return h.rows * (h.rows + 1) / 2;
    case MatrixMarketSymmetry::skew_symmetric: return h.rows == 0 ? 0 : h.rows * (h.rows - 1) / 2;
  }
  return 0;
}

// Banner, comments and size line; afterwards `lines` stands on the size line.
template <class Lines>
MatrixMarketHeader parse_header(Lines& lines) {
  MatrixMarketHeader h;
  Text line;
  if (!lines.next(line)) lines.fail(std::string("empty file: expected the banner ") + banner_form);
  parse_banner(line, lines, h);
  do {
    if (!lines.next(line)) lines.fail("missing size line: the file ends after the banner and comments");
  } while (is_comment_or_blank(line));
  Words words(line);
  h.rows = parse_size(words.next(), line, lines);
  h.cols = parse_size(words.next(), line, lines);
  if (h.format == MatrixMarketFormat::coordinate) h.entries = parse_size(words.next(), line, lines);
  if (const Text extra = words.next(); !extra.empty()) {
    lines.fail("bad size line: unexpected " + quoted(extra) + " after the " +
               (h.format == MatrixMarketFormat::coordinate ? "entry count"
                                                           : "column count (array files give 'rows cols')"));
  }
  if (h.symmetry != MatrixMarketSymmetry::general && h.rows != h.cols) {
    lines.fail(to_string(h.symmetry) + " storage needs a square matrix, but the size line gives " +
               std::to_string(h.rows) + " x " + std::to_string(h.cols));
  }
  if (h.format == MatrixMarketFormat::array) h.entries = array_entries(h, lines);
  return h;
}

// 0-based index from a 1-based word in 1..limit.
std::size_t parse_index(Text word, const char* what, std::size_t limit, const BufferLines& lines) {
  if (word.empty()) lines.fail(std::string("missing ") + what + " index");
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (ec != std::errc() || ptr != word.data() + word.size()) {
    lines.fail(std::string(what) + " index " + quoted(word) + " is not a positive integer");
  }
  if (value == 0 || value > limit) {
    lines.fail(std::string(what) + " index " + std::string(word) + " is outside 1.." + std::to_string(limit) +
               " (Matrix Market indices are 1-based)");
  }
  return static_cast<std::size_t>(value - 1);
}

// from_chars reports both overflow and underflow as out of range; text below the normal range
// (1e-400) rounds to a subnormal or to zero, as strtod reads it. strtod_l in the C locale decides
// which: the value is exact and does not depend on the program's locale. A rare path.
double out_of_range_value(Text word, const BufferLines& lines) {
  static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", locale_t{});
  const std::string text(word);
  errno = 0;
  const double value = c_locale != locale_t{} ? strtod_l(text.c_str(), nullptr, c_locale) : HUGE_VAL;
  if (std::isinf(value)) lines.fail("value " + quoted(word) + " is outside the double range");
  return value;
}

double parse_value(Text word, MatrixMarketField field, const BufferLines& lines) {
  if (word.empty()) lines.fail("missing value");
  // Unlike strtod, from_chars rejects a leading '+', which some writers emit.
  Text digits = word;
  if (digits.size() > 1 && digits.front() == '+' && digits[1] != '-' && digits[1] != '+') {
    digits.remove_prefix(1);
  }
  const char* b = digits.data();
  const char* e = b + digits.size();
  if (field == MatrixMarketField::integer) {
    std::int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(b, e, value);
    if (ec == std::errc::result_out_of_range) lines.fail("integer value " + quoted(word) + " is out of range");
    if (ec != std::errc() || ptr != e) lines.fail("value " + quoted(word) + " is not an integer");
    return static_cast<double>(value);
  }
  double value = 0.0;
  const auto [ptr, ec] = std::from_chars(b, e, value);
  if (ec == std::errc::result_out_of_range && ptr == e) value = out_of_range_value(word, lines);
  else if (ec != std::errc() || ptr != e) lines.fail("value " + quoted(word) + " is not a number");
  if (!std::isfinite(value)) lines.fail("value " + quoted(word) + " is not finite");
  return value;
}

// The entries of a coordinate file again, from `lines` standing on its size line: f(i, j, line)
// for each, 0-based. Only for the rare checks below, after a first pass found the file well formed.
template <class F>
void rescan_coordinates(BufferLines lines, const MatrixMarketHeader& h, F&& f) {
  Text line;
  while (lines.next(line)) {
    Words words(line);
    const Text first = words.next();
    if (first.empty() || first.front() == '%') continue;
    const std::size_t i = parse_index(first, "row", h.rows, lines);
    const std::size_t j = parse_index(words.next(), "column", h.cols, lines);
    f(i, j, lines.line());
  }
}

// Symmetric storage lists one triangle; a file that lists both A(i, j) and A(j, i) would have each
// mirrored onto the other and the off-diagonal doubled. Called only when both triangles occur.
void check_one_triangle(const BufferLines& start, const MatrixMarketHeader& h) {
  struct Entry {
    std::size_t lower, upper, line;  // (lower, upper): its position in the lower triangle, 0-based
    bool above;                      // listed as (upper, lower), above the diagonal
  };
  std::vector<Entry> entries;
  rescan_coordinates(start, h, [&](std::size_t i, std::size_t j, std::size_t line) {
    if (i != j) entries.push_back({std::max(i, j), std::min(i, j), line, i < j});
  });
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.lower != b.lower ? a.lower < b.lower : a.upper < b.upper;
  });
  const Entry* clash = nullptr;
  const Entry* other = nullptr;
  for (std::size_t k = 0; k < entries.size();) {
    std::size_t e = k;
    const Entry* below = nullptr;
    const Entry* above = nullptr;
    for (; e < entries.size() && entries[e].lower == entries[k].lower && entries[e].upper == entries[k].upper; ++e) {
      const Entry*& first = entries[e].above ? above : below;
      if (first == nullptr) first = &entries[e];
    }
    if (below != nullptr && above != nullptr) {
      const Entry* later = below->line > above->line ? below : above;
      if (clash == nullptr || later->line < clash->line) {
        clash = later;
        other = later == below ? above : below;
      }
    }
    k = e;
  }
  if (clash == nullptr) return;
  const auto name = [](const Entry& x) {
    const std::size_t i = x.above ? x.upper : x.lower, j = x.above ? x.lower : x.upper;
    return "(" + std::to_string(i + 1) + ", " + std::to_string(j + 1) + ")";
  };
  start.fail_at(clash->line, "symmetric file lists entry " + name(*clash) + " and, on line " +
                                 std::to_string(other->line) + ", its mirror " + name(*other) +
                                 ": symmetric storage lists one triangle, and reading both would double it");
}

// Duplicates that sum past the double range: the ParseError names the last line listing the entry
// (or its mirror, in symmetric or skew-symmetric storage). 0-based (i, j).
[[noreturn]] void fail_non_finite_sum(const BufferLines& start, const MatrixMarketHeader& h, std::size_t i,
                                      std::size_t j, double sum) {
  std::size_t last = start.line();
  rescan_coordinates(start, h, [&](std::size_t r, std::size_t c, std::size_t line) {
    if ((r == i && c == j) || (h.symmetry != MatrixMarketSymmetry::general && r == j && c == i)) last = line;
  });
  start.fail_at(last, "the entries listed for (" + std::to_string(i + 1) + ", " + std::to_string(j + 1) +
                          ") sum to " + std::to_string(sum) + ", outside the double range");
}

template <class Add>
void parse_coordinate_entries(BufferLines& lines, const MatrixMarketHeader& h, Add&& add) {
  const BufferLines start = lines;
  std::size_t count = 0;
  std::size_t above = 0, below = 0;  // the off-diagonal entries of a symmetric file, by triangle
  Text line;
  while (lines.next(line)) {
    Words words(line);
    const Text first = words.next();
    if (first.empty() || first.front() == '%') continue;
    if (count == h.entries) {
      lines.fail("more entries than the " + std::to_string(h.entries) + " announced on the size line");
    }
    const std::size_t i = parse_index(first, "row", h.rows, lines);
    const std::size_t j = parse_index(words.next(), "column", h.cols, lines);
    const double v = h.field == MatrixMarketField::pattern ? 1.0 : parse_value(words.next(), h.field, lines);
    if (const Text extra = words.next(); !extra.empty()) {
      lines.fail("unexpected " + quoted(extra) + " after the " +
                 (h.field == MatrixMarketField::pattern ? "indices of a pattern entry" : "value"));
    }
    // Symmetric storage is the lower triangle, but some writers store the upper one: mirror either.
    switch (h.symmetry) {
      case MatrixMarketSymmetry::general:
        add(i, j, v);
        break;
      case MatrixMarketSymmetry::symmetric:
        add(i, j, v);
        if (i != j) add(j, i, v);
        above += i < j ? 1 : 0;
        below += i > j ? 1 : 0;
        break;
      case MatrixMarketSymmetry::skew_symmetric:
        if (i == j) {
          if (v != 0.0) lines.fail("skew-symmetric file has a nonzero diagonal entry " + quoted(line));
        } else {
          add(i, j, v);
          add(j, i, -v);
        }
        break;
    }
    ++count;
  }
  if (count < h.entries) {
    lines.fail("too few entries: the size line announces " + std::to_string(h.entries) + ", the file ends after " +
               std::to_string(count));
  }
  if (above > 0 && below > 0) check_one_triangle(start, h);
}

// Array files list column after column: all rows (general), rows j..n-1 (symmetric) or j+1..n-1
// (skew-symmetric) of column j. Zeros are not passed on.
template <class Add>
void parse_array_entries(BufferLines& lines, const MatrixMarketHeader& h, Add&& add) {
  const auto first_row = [&](std::size_t col) -> std::size_t {
    switch (h.symmetry) {
      case MatrixMarketSymmetry::general: return 0;
      case MatrixMarketSymmetry::symmetric: return col;
      case MatrixMarketSymmetry::skew_symmetric: return col + 1;
    }
    return 0;
  };
  std::size_t count = 0, i = first_row(0), j = 0;
  Text line;
  while (lines.next(line)) {
    Words words(line);
    const Text first = words.next();
    if (first.empty() || first.front() == '%') continue;
    if (count == h.entries) {
      lines.fail("more values than the " + std::to_string(h.entries) + " the size line implies for " +
                 to_string(h.symmetry) + " array storage");
    }
    const double v = parse_value(first, h.field, lines);
    if (const Text extra = words.next(); !extra.empty()) {
      lines.fail("unexpected " + quoted(extra) + " after the value (array files list one value per line)");
    }
    if (v != 0.0) {
      add(i, j, v);
      if (i != j && h.symmetry == MatrixMarketSymmetry::symmetric) add(j, i, v);
      if (h.symmetry == MatrixMarketSymmetry::skew_symmetric) add(j, i, -v);
    }
    if (++i == h.rows) i = first_row(++j);
    ++count;
  }
  if (count < h.entries) {
    lines.fail("too few values: the size line implies " + std::to_string(h.entries) + ", the file ends after " +
               std::to_string(count));
  }
}

template <class Add>
void parse_entries(BufferLines& lines, const MatrixMarketHeader& h, Add&& add) {
  if (h.format == MatrixMarketFormat::coordinate) {
    parse_coordinate_entries(lines, h, add);
  } else {
    parse_array_entries(lines, h, add);
  }
}

std::ifstream open_input(const std::filesystem::path& file, const char* who) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    throw IoError(std::string(who) + ": cannot read '" + file.string() + "': it is a directory");
  }
  errno = 0;
  std::ifstream in(file, std::ios::binary);
  if (!in) throw IoError(std::string(who) + ": cannot open '" + file.string() + "'" + os_reason());
  return in;
}

// Whether `text`, the first bytes of an input, may still begin a Matrix Market file.
bool may_be_banner(Text text) {
  constexpr Text banner = "%%MatrixMarket";
  const std::size_t n = std::min(text.size(), banner.size());
  return equals_ignoring_case(text.substr(0, n), banner.substr(0, n));
}

// How many bytes an input without a known size (a pipe, a device) may hold, once its first bytes
// `text` are read: unbounded (nullopt) while the header is incomplete, else the header plus
// max_unsized_line bytes per line the size line announces and one more such line, since an entry
// line is never that long. A header the parser refuses ends the reading: the parse reports it.
constexpr std::size_t max_unsized_line = 1024;

std::optional<std::size_t> unsized_budget(const std::string& file, Text text) {
  const std::size_t end = text.rfind('\n');
  if (end == Text::npos) return std::nullopt;
  BufferLines lines(file, text.substr(0, end + 1));
  try {
    const MatrixMarketHeader h = parse_header(lines);
    const std::size_t header = end + 1 - lines.remaining_bytes();
    const std::size_t max = std::numeric_limits<std::size_t>::max();
    if (h.entries >= max / max_unsized_line - 1) return max;
    return header + (h.entries + 1) * max_unsized_line;
  } catch (const ParseError&) {
    // Either the header is not complete yet (no size line in the text so far) or it is wrong.
    Text line;
    BufferLines probe(file, text.substr(0, end + 1));
    std::size_t non_comment = 0;
    while (probe.next(line)) non_comment += probe.line() == 1 || !is_comment_or_blank(line) ? 1 : 0;
    return non_comment >= 2 ? std::optional<std::size_t>(0) : std::nullopt;
  }
}

std::string read_file(const std::filesystem::path& file, const char* who) {
  std::ifstream in = open_input(file, who);
  std::error_code ec;
  const bool regular = std::filesystem::is_regular_file(file, ec);
  const std::uintmax_t size = regular ? std::filesystem::file_size(file, ec) : 0;
  std::string text;
  if (regular && !ec) {
    // The size is a hint only: the file may change while it is read.
    text.resize(static_cast<std::size_t>(size));
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
  }
  // A pipe or a device has no size, and may have no end (/dev/zero): it is read in chunks, and the
  // reading stops as soon as the text cannot begin with the banner, has more than max_header_line
  // bytes without a size line, or runs past what its size line announces (unsized_budget).
  std::optional<std::size_t> budget;
  if (in) {
    std::vector<char> chunk(std::size_t{1} << 16);
    while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
      text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
      if (regular) continue;
      if (!may_be_banner(text)) break;
      if (!budget) budget = unsized_budget(file.string(), text);
      if (!budget && text.size() > max_header_line) {
        throw ParseError(file.string(), 1,
                         "no size line in the first " + std::to_string(max_header_line) +
                             " bytes of an input without a size: not a Matrix Market file");
      }
      if (budget && text.size() > *budget) {
        if (*budget == 0) break;  // a header the parser refuses
        throw ParseError(file.string(), 1,
                         "the input runs on past " + std::to_string(*budget) + " bytes, more than " +
                             std::to_string(max_unsized_line) +
                             " bytes per entry its size line announces: refused");
      }
    }
  }
  if (in.bad()) throw IoError(std::string(who) + ": cannot read '" + file.string() + "'" + os_reason());
  return text;
}

// Output is formatted into a buffer with std::to_chars (which prints exactly what printf "%.17g"
// prints) and handed to the stream in large blocks.
class Writer {
public:
  explicit Writer(const std::filesystem::path& file) : file_(file) {
    errno = 0;
    out_.open(file, std::ios::binary | std::ios::trunc);
    if (!out_) throw IoError("write_matrix_market: cannot open '" + file.string() + "' for writing" + os_reason());
    buffer_.reserve(block + 64);
  }

  void text(Text s) {
    buffer_.append(s);
    flush_if_full();
  }
  void index(std::size_t k) { number(k); }
  void value(double v) { number(v, std::chars_format::general, 17); }
  void comment(Text comment) {
    while (!comment.empty()) {
      const std::size_t nl = comment.find('\n');
      const Text line = comment.substr(0, nl);
      text(line.empty() ? "%\n" : "% ");
      if (!line.empty()) {
        text(line);
        text("\n");
      }
      comment.remove_prefix(nl == Text::npos ? comment.size() : nl + 1);
    }
  }
  void finish() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
    out_.close();
    if (!out_) throw IoError("write_matrix_market: cannot write '" + file_.string() + "'" + os_reason());
  }

private:
  static constexpr std::size_t block = 1 << 20;

  template <class T, class... Format>
  void number(T v, Format... format) {
    char digits[64];
    const auto result = std::to_chars(digits, digits + sizeof digits, v, format...);
    buffer_.append(digits, result.ptr);
    flush_if_full();
  }
  void flush_if_full() {
    if (buffer_.size() < block) return;
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
    if (!out_) throw IoError("write_matrix_market: cannot write '" + file_.string() + "'" + os_reason());
  }

  std::filesystem::path file_;
  std::ofstream out_;
  std::string buffer_;
};

// The shortest text that reads back as the same double.
std::string shortest(double v) {
  char digits[64];
  return std::string(digits, std::to_chars(digits, digits + sizeof digits, v).ptr);
}

std::string entry_name(std::size_t i, std::size_t j) {
  return "A(" + std::to_string(i) + ", " + std::to_string(j) + ")";
}

}  // namespace

std::string to_string(MatrixMarketFormat format) {
  switch (format) {
    case MatrixMarketFormat::coordinate: return "coordinate";
    case MatrixMarketFormat::array: return "array";
  }
  return "unknown format";
}

std::string to_string(MatrixMarketField field) {
  switch (field) {
    case MatrixMarketField::real: return "real";
    case MatrixMarketField::integer: return "integer";
    case MatrixMarketField::pattern: return "pattern";
  }
  return "unknown field";
}

std::string to_string(MatrixMarketSymmetry symmetry) {
  switch (symmetry) {
    case MatrixMarketSymmetry::general: return "general";
    case MatrixMarketSymmetry::symmetric: return "symmetric";
    case MatrixMarketSymmetry::skew_symmetric: return "skew-symmetric";
  }
  return "unknown symmetry";
}

SparseMatrixFile read_matrix_market(const std::filesystem::path& file) {
  const std::string text = read_file(file, "read_matrix_market");
  BufferLines lines(file.string(), text);
  const MatrixMarketHeader h = parse_header(lines);
  const BufferLines size_line = lines;
  check_declared_size(h, lines);
  const auto max_index = static_cast<std::size_t>(std::numeric_limits<SparseIndex>::max());
  if (h.rows > max_index || h.cols > max_index) {
    lines.fail("a " + std::to_string(h.rows) + " x " + std::to_string(h.cols) +
               " matrix exceeds the 32-bit index range of CsrMatrix");
  }
  // A bogus entry count must not reserve gigabytes: every stored value needs at least two bytes.
  const std::size_t stored = std::min(h.entries, lines.remaining_bytes() / 2 + 1);
  const std::size_t capacity = h.symmetry == MatrixMarketSymmetry::general ? stored : 2 * stored;
  std::vector<SparseIndex> row, col;
  Vector value;
  row.reserve(capacity);
  col.reserve(capacity);
  value.reserve(capacity);
  parse_entries(lines, h, [&](std::size_t i, std::size_t j, double v) {
    row.push_back(static_cast<SparseIndex>(i));
    col.push_back(static_cast<SparseIndex>(j));
    value.push_back(v);
  });
  OperatorTraits traits;
  traits.symmetric = h.symmetry == MatrixMarketSymmetry::symmetric;
  CsrMatrix a = CsrMatrix::from_triplets(h.rows, h.cols, row, col, value, traits);
  if (a.nnz() < value.size()) {  // duplicates were summed: each value was finite, a sum may not be
    const auto offsets = a.row_offsets();
    const auto values = a.values();
    for (std::size_t i = 0; i < a.rows(); ++i) {
      for (auto k = static_cast<std::size_t>(offsets[i]); k < static_cast<std::size_t>(offsets[i + 1]); ++k) {
        if (!std::isfinite(values[k])) {
          fail_non_finite_sum(size_line, h, i, static_cast<std::size_t>(a.col_indices()[k]), values[k]);
        }
      }
    }
  }
  return {h, std::move(a)};
}

MatrixMarketHeader read_matrix_market_header(const std::filesystem::path& file) {
  std::ifstream in = open_input(file, "read_matrix_market_header");
  StreamLines lines(file.string(), in);
  return parse_header(lines);
}

DenseMatrix read_matrix_market_dense(const std::filesystem::path& file) {
  const std::string text = read_file(file, "read_matrix_market_dense");
  BufferLines lines(file.string(), text);
  const MatrixMarketHeader h = parse_header(lines);
  const BufferLines size_line = lines;
  check_declared_size(h, lines);
  const std::size_t bytes = lines.remaining_bytes();
  const std::size_t limit = std::max(min_dense, bytes + 1);
  if (h.rows != 0 && h.cols > limit / h.rows) {
    lines.fail("the size line declares a dense " + std::to_string(h.rows) + " x " + std::to_string(h.cols) +
               " matrix, but the " + std::to_string(bytes) +
               " bytes after it hold at most that many values; refused, the dense reader allocates for at most "
               "max(" + std::to_string(min_dense) + ", bytes after the size line + 1) elements");
  }
  DenseMatrix a(h.rows, h.cols);
  parse_entries(lines, h, [&](std::size_t i, std::size_t j, double v) { a(i, j) += v; });
  if (h.format == MatrixMarketFormat::coordinate) {  // duplicates were summed: a sum may not be finite
    for (std::size_t j = 0; j < a.cols(); ++j) {
      for (std::size_t i = 0; i < a.rows(); ++i) {
        if (!std::isfinite(a(i, j))) fail_non_finite_sum(size_line, h, i, j, a(i, j));
      }
    }
  }
  return a;
}

void write_matrix_market(const std::filesystem::path& file, const CsrMatrix& a, MatrixMarketSymmetry storage,
                         std::string_view comment) {
  const auto offsets = a.row_offsets();
  const auto cols = a.col_indices();
  const auto values = a.values();
  for (std::size_t i = 0; i < a.rows(); ++i) {
    for (auto k = static_cast<std::size_t>(offsets[i]); k < static_cast<std::size_t>(offsets[i + 1]); ++k) {
      if (!std::isfinite(values[k])) {
        throw NonFiniteError("write_matrix_market: entry " + entry_name(i, static_cast<std::size_t>(cols[k])) +
                             " = " + shortest(values[k]) + " is not finite");
      }
    }
  }
  if (storage != MatrixMarketSymmetry::general) {
    if (!a.is_square()) {
      throw ArgumentError("write_matrix_market: " + to_string(storage) + " storage needs a square matrix, got " +
                          std::to_string(a.rows()) + " x " + std::to_string(a.cols()));
    }
    const double sign = storage == MatrixMarketSymmetry::symmetric ? 1.0 : -1.0;
    if (const auto bad = detail::find_asymmetry(a, sign, 0.0)) {
      throw ArgumentError("write_matrix_market: " + to_string(storage) + " storage needs A(j, i) = " +
                          (sign > 0 ? "" : "-") + "A(i, j), but " + entry_name(bad->i, bad->j) + " = " +
                          shortest(bad->a_ij) + " and " + entry_name(bad->j, bad->i) + " = " +
                          shortest(bad->a_ji) + " (0-based)");
    }
  }
  // Symmetric storage keeps col <= row, skew-symmetric col < row (its diagonal is zero).
  const auto kept = [&](std::size_t i, SparseIndex j) {
    const auto col = static_cast<std::size_t>(j);
    switch (storage) {
      case MatrixMarketSymmetry::general: return true;
      case MatrixMarketSymmetry::symmetric: return col <= i;
      case MatrixMarketSymmetry::skew_symmetric: return col < i;
    }
    return true;
  };
  std::size_t entries = 0;
  for (std::size_t i = 0; i < a.rows(); ++i)
    for (auto k = static_cast<std::size_t>(offsets[i]); k < static_cast<std::size_t>(offsets[i + 1]); ++k)
      entries += kept(i, cols[k]) ? 1 : 0;

  Writer out(file);
  out.text("%%MatrixMarket matrix coordinate real ");
  out.text(to_string(storage));
  out.text("\n");
  out.comment(comment);
  out.index(a.rows());
  out.text(" ");
  out.index(a.cols());
  out.text(" ");
  out.index(entries);
  out.text("\n");
  for (std::size_t i = 0; i < a.rows(); ++i) {
    for (auto k = static_cast<std::size_t>(offsets[i]); k < static_cast<std::size_t>(offsets[i + 1]); ++k) {
      if (!kept(i, cols[k])) continue;
      out.index(i + 1);
      out.text(" ");
      out.index(static_cast<std::size_t>(cols[k]) + 1);
      out.text(" ");
      out.value(values[k]);
      out.text("\n");
    }
  }
  out.finish();
}

void write_matrix_market(const std::filesystem::path& file, const DenseMatrix& a, std::string_view comment) {
  for (std::size_t j = 0; j < a.cols(); ++j) {
    for (std::size_t i = 0; i < a.rows(); ++i) {
      if (!std::isfinite(a(i, j))) {
        throw NonFiniteError("write_matrix_market: entry " + entry_name(i, j) + " = " + shortest(a(i, j)) +
                             " is not finite");
      }
    }
  }
  Writer out(file);
  out.text("%%MatrixMarket matrix array real general\n");
  out.comment(comment);
  out.index(a.rows());
  out.text(" ");
  out.index(a.cols());
  out.text("\n");
  for (double v : a.values()) {
    out.value(v);
    out.text("\n");
  }
  out.finish();
}

}  // namespace frechet
