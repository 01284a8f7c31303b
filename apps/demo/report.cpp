#include "report.hpp"

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "frechet/core/error.hpp"

namespace frechet::demo {

std::string format(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  va_list copy;
  va_copy(copy, args);
  const int n = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  std::string s(static_cast<std::size_t>(n), '\0');
  std::vsnprintf(s.data(), s.size() + 1, fmt, args);
  va_end(args);
  return s;
}

std::string semilog_script(const std::string& file, const std::string& title, const std::string& xlabel,
                           const std::string& ylabel, const std::vector<Curve>& curves, const std::string& key) {
  std::string s = "set logscale y; set format y '10^{%L}'; set grid\nset xlabel '" + xlabel + "'; set ylabel '" +
                  ylabel + "'; set title '" + title + "'\nset key " + key + "\nplot ";
  for (std::size_t i = 0; i < curves.size(); ++i) {
    s += (i ? ", \\\n     " : "") + std::string("'") + file + "' using 1:" + curves[i].column + " with " +
         curves[i].style + " title '" + curves[i].title + "'";
  }
  return s + "\n";
}

namespace {

// NaN and infinities are not JSON numbers: they go out as strings, so the object stays valid.
nlohmann::ordered_json number(double v) {
  if (std::isfinite(v)) return v;
  return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
}

std::string join(ConstVectorView v, const char* fmt) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + format(fmt, v[i]);
  return s + "]";
}

// "Q1.2" -> "q1_2"
std::string slug(const std::string& id) {
  std::string s;
  for (char c : id) s += (c == '.' || c == ' ') ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Report::Report(std::string document) : document_(std::move(document)) {}

std::optional<int> Report::parse(int argc, char** argv) {
  CLI::App app{"Reproduces " + document_ + " with frechet; PASS/FAIL per check, exit status 1 if any fails."};
  std::string dir;
  app.add_flag("--json", json_, "print one JSON object {document, checks, values, figures, notes}");
  app.add_option("--figures", dir, "write every figure as SVG and PNG (gnuplot) into this directory");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: error: %s\n", argv[0], e.what());
    return 2;  // bad usage, as frechet's other tools (apps/cli_main.hpp)
  }
  if (!dir.empty()) {
    figures_dir_ = dir;
    std::filesystem::create_directories(dir);
  }
  return std::nullopt;
}

std::string Report::key(const std::string& name) const { return section_.empty() ? name : slug(section_) + "." + name; }

std::string Report::prefixed(const std::string& text) const { return section_.empty() ? text : section_ + ": " + text; }

void Report::section(const std::string& id, const std::string& title) {
  section_ = id;
  if (!json_) std::cout << "\n== " << id << " " << title << " ==\n";
}

void Report::print(const std::string& line) {
  if (!json_) std::cout << line << "\n";
}

void Report::value(const std::string& name, const std::string& label, double v, const char* fmt) {
  values_[key(name)] = number(v);
  print(label + ": " + format(fmt, v));
}

void Report::value(const std::string& name, const std::string& label, double v, const char* fmt,
                   const std::string& seed) {
  values_[key(name)] = number(v);
  values_[key(name) + "_seed"] = seed;  // as printed: "100.00" says more than 100
  print(label + ": " + format(fmt, v) + "   (seed: " + seed + ")");
}

void Report::value(const std::string& name, const std::string& label, const std::string& v) {
  values_[key(name)] = v;
  print(label + ": " + v);
}

void Report::value(const std::string& name, const std::string& label, ConstVectorView v, const char* fmt) {
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (double x : v) array.push_back(number(x));
  values_[key(name)] = std::move(array);
  print(label + ": " + join(v, fmt));
}

bool Report::compare(const std::string& name, const std::string& label, double v, const char* fmt,
                     const std::string& seed) {
  value(name, label, v, fmt, seed);
  const std::string ours = format(fmt, v);
  return check(label + " as the seed prints it", ours == seed, "ours " + ours + ", seed " + seed);
}

bool Report::check(const std::string& name, bool passed, const std::string& detail) {
  (passed ? passed_ : failed_) += 1;
  checks_.push_back({{"name", prefixed(name)}, {"passed", passed}, {"detail", detail}});
  print(std::string(passed ? "PASS " : "FAIL ") + prefixed(name) + (detail.empty() ? "" : " (" + detail + ")"));
  return passed;
}

void Report::note(const std::string& text) {
  notes_.push_back(prefixed(text));
  print("NOTE " + prefixed(text));
}

void Report::figure(const Figure& figure) {
  nlohmann::ordered_json entry = {{"section", section_}, {"name", figure.name}, {"title", figure.title}};
  if (figures_dir_) {
    for (const auto& [file, contents] : figure.data) {
      std::ofstream out(*figures_dir_ / file);
      out << contents;
      if (!out) throw IoError("figure " + figure.name + ": cannot write " + (*figures_dir_ / file).string());
    }
    render_gnuplot(*figures_dir_, figure);
    entry["svg"] = (*figures_dir_ / (figure.name + ".svg")).string();
    entry["png"] = (*figures_dir_ / (figure.name + ".png")).string();
    print("figure " + figure.name + ": " + entry["svg"].get<std::string>() + ", .png");
  }
  figures_.push_back(std::move(entry));
}

int Report::finish() const {
  if (json_) {
    const nlohmann::ordered_json out = {{"document", document_}, {"checks", checks_}, {"values", values_},
                                        {"figures", figures_},   {"notes", notes_}};
    std::cout << out.dump(1) << "\n";
  } else {
    std::cout << "\n" << passed_ << " passed, " << failed_ << " failed\n";
  }
  return failed_ == 0 ? 0 : 1;
}

void render_gnuplot(const std::filesystem::path& dir, const Figure& figure) {
  const std::string& name = figure.name;
  const std::filesystem::path gp = dir / (name + ".gp");
  {
    std::ofstream out(gp);
    out << "# " << name << ": rendered twice by the demo kit, as SVG and as PNG\n"
        << "set encoding utf8\n"
        << figure.script << "\n";
    if (!out) throw IoError("render_gnuplot: cannot write " + gp.string());
  }
  // gnuplot runs in `dir`, so the script names its data files without a path.
  const std::string size = std::to_string(figure.width) + "," + std::to_string(figure.height);
  const std::string terminals[][2] = {{"svg size " + size + " dynamic enhanced font 'Sans,12'", ".svg"},
                                      {"pngcairo size " + size + " enhanced font 'Sans,10'", ".png"}};
  for (const auto& [terminal, ext] : terminals) {
    const std::string command = "cd '" + dir.string() + "' && gnuplot -e \"set terminal " + terminal +
                                "; set output '" + name + ext + "'\" '" + name + ".gp' 1>&2";
    if (std::system(command.c_str()) != 0)
      throw IoError("render_gnuplot: gnuplot failed on " + gp.string() + " (is gnuplot installed? ./run installs gnuplot-nox)");
  }
}

}  // namespace frechet::demo
