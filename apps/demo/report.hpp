#pragma once
// The kit the demo apps share (not part of the library): a Report that prints, per question of a seed
// document, the quantities the seed prints beside the seed's own printed values, one PASS/FAIL line
// per check, a NOTE where the seed is wrong, and the closing "N passed, N failed"; with --json it prints
// one object instead, and with --figures DIR it renders the seed's figures through gnuplot.
//
// Names in the JSON carry their question: values are "q1_2.gd_iterations_kappa_2" (and
// "q1_2.gd_iterations_kappa_2_seed" for the seed's printed value), checks and notes start with
// "Q1.2: ", figures have a "section" field. The report generator (make_report.py) groups by them.

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "frechet/core/vector.hpp"

namespace frechet::demo {

/// printf into a std::string.
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

/// One curve of semilog_script: the data column, its title and its gnuplot style.
struct Curve {
  std::string column, title, style;
};
/// A gnuplot script plotting the given columns of `file` against its column 1 with a log-scale y.
std::string semilog_script(const std::string& file, const std::string& title, const std::string& xlabel,
                           const std::string& ylabel, const std::vector<Curve>& curves,
                           const std::string& key = "top right");

/// A figure: data files and a gnuplot script that reads them by name. The script sets everything but
/// the terminal and the output, which the kit sets twice (SVG, then PNG) when it renders.
struct Figure {
  std::string name;   ///< file stem, unique within the app
  std::string title;  ///< what the figure shows, for the report
  std::vector<std::pair<std::string, std::string>> data;  ///< (file name, contents)
  std::string script;
  int width = 720;  ///< pixels (PNG) or points (SVG)
  int height = 560;
};

/// The output of one demo app.
class Report {
public:
  /// `document` names the seed document the app reproduces.
  explicit Report(std::string document);

  /// Parses --json and --figures DIR (CLI11). Returns an exit status to stop with (0 after --help, 2
  /// for bad usage), or nothing to go on.
  std::optional<int> parse(int argc, char** argv);

  /// Starts question `id` ("Q1.2"): a heading in the text, the prefix of what follows in the JSON.
  void section(const std::string& id, const std::string& title);
  /// A line of output (text mode only): what the seed prints that is no single number.
  void print(const std::string& line);

  /// Records `name` and prints "label: value" (printf `fmt`).
  void value(const std::string& name, const std::string& label, double v, const char* fmt = "%.6g");
  /// The same beside the seed's printed text `seed` (recorded, as a string, as name_seed), without a check.
  void value(const std::string& name, const std::string& label, double v, const char* fmt, const std::string& seed);
  void value(const std::string& name, const std::string& label, const std::string& v);
  void value(const std::string& name, const std::string& label, ConstVectorView v, const char* fmt = "%.6g");
  /// value() beside the seed, and a check that ours printed with the seed's format `fmt` is the
  /// seed's printed text `seed`. Use it where the seed is deterministic and right.
  bool compare(const std::string& name, const std::string& label, double v, const char* fmt, const std::string& seed);

  /// One PASS/FAIL line; returns `passed`.
  bool check(const std::string& name, bool passed, const std::string& detail);
  /// A NOTE: where the seed is wrong (or cannot be reproduced), and why.
  void note(const std::string& text);

  /// Whether --figures was given.
  bool figures_enabled() const { return figures_dir_.has_value(); }
  /// Lists the figure and, with --figures, writes its data and renders it as SVG and PNG.
  void figure(const Figure& figure);

  /// Prints the JSON object or the closing line; the exit status (1 if a check failed).
  int finish() const;

private:
  std::string key(const std::string& name) const;
  std::string prefixed(const std::string& text) const;

  std::string document_;
  bool json_ = false;
  std::optional<std::filesystem::path> figures_dir_;
  std::string section_;
  nlohmann::ordered_json checks_ = nlohmann::ordered_json::array();
  nlohmann::ordered_json values_ = nlohmann::ordered_json::object();
  nlohmann::ordered_json figures_ = nlohmann::ordered_json::array();
  nlohmann::ordered_json notes_ = nlohmann::ordered_json::array();
  int passed_ = 0;
  int failed_ = 0;
};

/// A five-stop gnuplot palette close to matplotlib's viridis, for contour plots.
inline constexpr const char* viridis_palette =
    "set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')\n";

/// Renders the figure's script (reading its data files in `dir`) with gnuplot into dir/NAME.svg and
/// dir/NAME.png.
/// Throws IoError if gnuplot is missing or fails.
void render_gnuplot(const std::filesystem::path& dir, const Figure& figure);

}  // namespace frechet::demo
