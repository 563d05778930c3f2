#include "sim/model_files/model_file_generate.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "sim/model_files/model_file_abi.hpp"
#include "sim/model_files/model_file_exp_code.hpp"
#include "sim/model_files/model_file_sensitivity_code.hpp"
#include "sim/model_files/model_file_steady_code.hpp"

namespace mobsim::model_file {

namespace {

// The math the expressions may call on doubles.
const std::string kPrelude = R"(#include <cmath>
#include <utility>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace mf {

inline double val(double x) { return x; }
)" + std::string(kExp) + R"(
inline double log(double a) { return std::log(a); }
inline double log10(double a) { return std::log10(a); }
inline double sqrt(double a) { return std::sqrt(a); }
inline double abs(double a) { return std::fabs(a); }
inline double sin(double a) { return std::sin(a); }
inline double cos(double a) { return std::cos(a); }
inline double tanh(double a) { return std::tanh(a); }
inline double pow(double a, double b) { return std::pow(a, b); }
inline double min(double a, double b) { return a < b ? a : b; }
inline double max(double a, double b) { return a < b ? b : a; }
inline double pick(bool c, double a, double b) { return c ? a : b; }

}  // namespace mf
)";

// Dual numbers with D directions (the Jacobian's: the states, then time) and the math on them. Mixed calls convert
// the double to a constant dual. The sensitivities get a second copy, SDual with DS directions (the parameters).
const char* const kDual = R"(
namespace mf {

struct Dual {
    double v;
    double d[D];
    Dual(double x = 0.0) : v(x) { for (double& e : d) e = 0.0; }
};
inline double val(const Dual& x) { return x.v; }
inline Dual chain(const Dual& a, double f, double df) {
    Dual r(f);
    for (int i = 0; i < D; ++i) r.d[i] = df * a.d[i];
    return r;
}
inline Dual operator+(const Dual& a, const Dual& b) { Dual r(a.v + b.v); for (int i = 0; i < D; ++i) r.d[i] = a.d[i] + b.d[i]; return r; }
inline Dual operator-(const Dual& a, const Dual& b) { Dual r(a.v - b.v); for (int i = 0; i < D; ++i) r.d[i] = a.d[i] - b.d[i]; return r; }
inline Dual operator-(const Dual& a) { return chain(a, -a.v, -1.0); }
inline Dual operator*(const Dual& a, const Dual& b) { Dual r(a.v * b.v); for (int i = 0; i < D; ++i) r.d[i] = a.d[i] * b.v + a.v * b.d[i]; return r; }
inline Dual operator/(const Dual& a, const Dual& b) {
    Dual r(a.v / b.v);
    for (int i = 0; i < D; ++i) r.d[i] = (a.d[i] - r.v * b.d[i]) / b.v;
    return r;
}
inline Dual exp(const Dual& a) { const double e = mf::exp(a.v); return chain(a, e, e); }
inline Dual log(const Dual& a) { return chain(a, std::log(a.v), 1.0 / a.v); }
inline Dual log10(const Dual& a) { return chain(a, std::log10(a.v), 1.0 / (a.v * std::log(10.0))); }
inline Dual sqrt(const Dual& a) { const double s = std::sqrt(a.v); return chain(a, s, 0.5 / s); }
inline Dual abs(const Dual& a) { return chain(a, std::fabs(a.v), a.v < 0 ? -1.0 : 1.0); }
inline Dual sin(const Dual& a) { return chain(a, std::sin(a.v), std::cos(a.v)); }
inline Dual cos(const Dual& a) { return chain(a, std::cos(a.v), -std::sin(a.v)); }
inline Dual tanh(const Dual& a) { const double h = std::tanh(a.v); return chain(a, h, 1.0 - h * h); }
inline Dual pow(const Dual& a, const Dual& b) {
    Dual r(std::pow(a.v, b.v));
    const double da = b.v * std::pow(a.v, b.v - 1.0);
    for (int i = 0; i < D; ++i) r.d[i] = da * a.d[i] + (b.d[i] != 0.0 ? r.v * std::log(a.v) * b.d[i] : 0.0);
    return r;
}
inline Dual min(const Dual& a, const Dual& b) { return a.v < b.v ? a : b; }
inline Dual max(const Dual& a, const Dual& b) { return a.v < b.v ? b : a; }
inline Dual pick(bool c, const Dual& a, const Dual& b) { return c ? a : b; }

}  // namespace mf
)";

// kDual for the sensitivities: SDual with DS directions.
std::string sensitivity_dual() {
    std::string out = kDual;
    for (const auto& [from, to] : {std::pair<std::string, std::string>{"Dual", "SDual"}, {"[D]", "[DS]"}, {"< D;", "< DS;"}})
        for (std::size_t at = out.find(from); at != std::string::npos; at = out.find(from, at + to.size()))
            out.replace(at, from.size(), to);
    return out;
}

std::string literal(double v) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.17g", v);
    std::string s = buffer;
    if (s.find_first_of(".en") == std::string::npos) s += ".0";
    return s;
}

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c == '\n' || c == '\r' ? '?' : c;
    }
    return out + "\"";
}

class Generator {
public:
    explicit Generator(const CheckedModel& m) : m_(m) {}

    std::string run() {
        const auto& s = m_.syntax;
        const int n = static_cast<int>(s.states.size());
        std::string file = s.file;  // in a comment: no line break may end it
        for (char& ch : file)
            if (ch == '\n' || ch == '\r') ch = '?';
        const int np = static_cast<int>(s.parameters.size());
        const int nin = static_cast<int>(m_.inputs.size());
        const auto outputs = std::count_if(s.statements.begin(), s.statements.end(),
                                           [](const Statement& st) { return st.kind == Statement::Kind::output; });
        o_ << "// Generated by mobsim from " << file << " (sha256 " << m_.source_sha256 << "); do not edit.\n"
           << "// Model '" << s.name << "': " << n << " states, " << np << " parameters.\n" << imports_comment()
           << "namespace mf { constexpr int D = " << n + nin + 1 << ", DS = " << std::max(np, 1) << "; }\n"
           << kPrelude << kDual << sensitivity_dual() << "\nnamespace {\n\n"
           << "// x: the N states, then the NIN imported ports read (in = x + N, or apart); only a composed model passes these.\n"
           << "constexpr int N = " << n << ", NIN = " << nin << ", NX = N + NIN, NP = " << np << ", NPRE = "
           << m_.precomputed_count << ", NOUT = " << outputs << ";\n\n";
        // Each function is a template on its scalar types: doubles for the values, dual numbers in the states
        // for the Jacobian, dual numbers in the parameters (and so in everything) for the sensitivities.
        o_ << "template <class P>\nvoid prepare_of(const P* p, const double* c, P* pre) {\n    (void)p, (void)c, (void)pre;\n";
        for (const Statement* st : per_binding_lets(false))
            line(*st, "pre[" + std::to_string(m_.symbols.at(st->target.name).precomputed) + "] = " + expr(*st->value) + ";");
        for (const Statement* st : per_binding_lets(true))  // unknown until prepare_inputs: NaN if read before
            o_ << "    pre[" << m_.symbols.at(st->target.name).precomputed << "] = P(NAN);\n";
        for (const auto& [port, slot] : m_.initial_slots) o_ << "    pre[" << slot << "] = P(NAN);  // prepare_inputs\n";
        o_ << "}\n\n// Once the imported components' initial state is known (in: the ports read): the ports'\n"
           << "// initial values, initial(NAME.PORT), and the per-patient quantities derived from them.\n"
           << "void prepare_inputs(const double* p, const double* c, const double* in, double* pre) {\n"
           << "    (void)p, (void)c, (void)in, (void)pre;\n";
        for (const auto& [port, slot] : m_.initial_slots)
            o_ << "    pre[" << slot << "] = in[" << m_.symbols.at(port).index << "];  // " << port << "\n";
        for (const Statement* st : per_binding_lets(true))
            line(*st, "pre[" + std::to_string(m_.symbols.at(st->target.name).precomputed) + "] = " + expr(*st->value) + ";");
        o_ << "}\n\ntemplate <class P>\nvoid initial_state_of(const P* p, const double* c, const P* pre, P* x) {\n"
           << "    const P* in = x + N;\n    (void)p, (void)c, (void)pre, (void)in;\n";
        for (int i = 0; i < n; ++i)
            o_ << "    x[" << i << "] = "
               << (s.states[i].initial ? expr(*s.states[i].initial) : s.states[i].steady ? "1.0" : "0.0") << ";\n";
        o_ << "}\n\ntemplate <class T, class P>\nvoid rhs_of(T t, const T* x, const T* in, const P* p, const double* c, const P* pre, T* dx) {\n"
           << "    (void)t, (void)x, (void)in, (void)p, (void)c, (void)pre;\n";
        dynamic_lets("T");
        for (int i = 0; i < n; ++i) {
            const Statement& st = s.statements[m_.derivative_of_state[i]];
            line(st, "dx[" + std::to_string(i) + "] = " + expr(*st.value) + ";");
        }
        o_ << "}\n\ntemplate <class T, class P>\nvoid observe_of(T t, const T* x, const T* in, const P* p, const double* c, const P* pre, T* y) {\n"
           << "    (void)t, (void)x, (void)in, (void)p, (void)c, (void)pre;\n";
        dynamic_lets("T");
        int output = 0;
        for (const auto& st : s.statements)
            if (st.kind == Statement::Kind::output) line(st, "y[" + std::to_string(output++) + "] = " + expr(*st.value) + ";");
        o_ << "}\n";
        dose_property(Statement::Kind::bioavailability, "bioavailability_of", "int state, double amount", "1.0");
        dose_property(Statement::Kind::lag, "lag_time_h_of", "int state", "0.0");
        dose_property(Statement::Kind::rate, "infusion_rate_of", "int state, double amount", "0.0");
        dose_property(Statement::Kind::duration, "infusion_duration_of", "int state, double amount", "0.0");
        o_ << "\nvoid prepare(const double* p, const double* c, double* pre) { prepare_of(p, c, pre); }\n"
           << "void rhs(double t, const double* x, const double* p, const double* c, const double* pre, double* dx) {\n"
           << "    rhs_of<double, double>(t, x, x + N, p, c, pre, dx);\n}\n"
           << "// The same with the ports apart (a composed model's part: no copy of the states)\n"
           << "void rhs_inputs(double t, const double* x, const double* in, const double* p, const double* c, const double* pre, double* dx) {\n"
           << "    rhs_of<double, double>(t, x, in, p, c, pre, dx);\n}\n"
           << "void observe_inputs(double t, const double* x, const double* in, const double* p, const double* c, const double* pre, double* y) {\n"
           << "    observe_of<double, double>(t, x, in, p, c, pre, y);\n}\n\n"
           << "// Forward mode: one dual pass gives every column of the Jacobian (N x NX: to the states and the\n"
           << "// imported ports read) and df/dt.\n"
           << "void jacobian(double t, const double* x, const double* p, const double* c, const double* pre, double* J, double* dfdt) {\n"
           << "    mf::Dual xd[NX + 1], dx[N + 1];\n    for (int i = 0; i < NX; ++i) { xd[i] = mf::Dual(x[i]); xd[i].d[i] = 1.0; }\n"
           << "    mf::Dual td(t);\n    td.d[NX] = 1.0;\n    rhs_of<mf::Dual, double>(td, xd, xd + N, p, c, pre, dx);\n"
           << "    for (int i = 0; i < N; ++i) {\n        for (int j = 0; j < NX; ++j) J[i * NX + j] = dx[i].d[j];\n"
           << "        dfdt[i] = dx[i].d[NX];\n    }\n}\n" << steady_list() << kSteady
           << "void initial_state(const double* p, const double* c, const double* pre, double* x) {\n"
           << "    initial_state_of(p, c, pre, x);\n    steady_of(p, c, pre, x);\n}\n\n"
           << "void observe(double t, const double* x, const double* p, const double* c, const double* pre, double* y) {\n"
           << "    observe_of<double, double>(t, x, x + N, p, c, pre, y);\n}\n"
           << "double bioavailability(int state, double amount, const double* p, const double* c, const double* pre) {\n"
           << "    return bioavailability_of(state, amount, p, c, pre);\n}\n"
           << "double lag_time_h(int state, const double* p, const double* c, const double* pre) {\n"
           << "    return lag_time_h_of(state, p, c, pre);\n}\n"
           << "double infusion_rate(int state, double amount, const double* p, const double* c, const double* pre) {\n"
           << "    return infusion_rate_of(state, amount, p, c, pre);\n}\n"
           << "double infusion_duration(int state, double amount, const double* p, const double* c, const double* pre) {\n"
           << "    return infusion_duration_of(state, amount, p, c, pre);\n}\n"
           << kSensitivities << "\n}  // namespace\n\nextern \"C\" {\n" << MOBSIM_MODEL_FILE_TEXT(MOBSIM_MODEL_FILE_ABI_STRUCT) << ";\n"
           << MOBSIM_MODEL_FILE_TEXT(MOBSIM_MODEL_FILE_SENSITIVITIES_STRUCT) << ";\n"
           << MOBSIM_MODEL_FILE_TEXT(MOBSIM_MODEL_FILE_INFUSIONS_STRUCT) << ";\n"
           << MOBSIM_MODEL_FILE_TEXT(MOBSIM_MODEL_FILE_IMPORTS_STRUCT) << ";\n\n"
           << "__attribute__((visibility(\"default\"))) const MobsimModelFileAbiV1* " << MOBSIM_MODEL_FILE_FACTORY
           << "() {\n    static const MobsimModelFileAbiV1 abi = {" << MOBSIM_MODEL_FILE_ABI_VERSION << ", N, "
           << s.parameters.size() << ", " << s.covariates.size() << ", " << output << ", "
           << m_.precomputed_count << ", \"" << m_.source_sha256 << "\",\n"
           << "        prepare, initial_state, rhs, jacobian, observe, bioavailability, lag_time_h};\n"
           << "    return &abi;\n}\n\n"
           << "__attribute__((visibility(\"default\"))) const MobsimModelFileSensitivitiesV1* "
           << MOBSIM_MODEL_FILE_SENSITIVITIES << "() {\n    static const MobsimModelFileSensitivitiesV1 s = {NP, "
           << output << ", s_prepare, s_initial_state, s_rhs, s_observe, s_bioavailability, s_lag_time_h};\n"
           << "    return &s;\n}\n\n"
           << "__attribute__((visibility(\"default\"))) const MobsimModelFileInfusionsV1* " << MOBSIM_MODEL_FILE_INFUSIONS
           << "() {\n    static const MobsimModelFileInfusionsV1 s = {infusion_rate, infusion_duration};\n"
           << "    return &s;\n}\n\n"
           << "__attribute__((visibility(\"default\"))) const MobsimModelFileImportsV1* " << MOBSIM_MODEL_FILE_IMPORTS
           << "() {\n    static const MobsimModelFileImportsV1 s = {prepare_inputs, rhs_inputs, observe_inputs};\n    return &s;\n}\n}\n";
        return o_.str();
    }

private:
    // An importing file's library holds its own part only; mobsim composes it with the imported components.
    std::string imports_comment() const {
        if (m_.syntax.imports.empty()) return "";
        std::string out = "// Imports (composed by mobsim, not compiled here):";
        for (const auto& d : m_.syntax.imports) out += " " + d.name;
        out += ".\n// Ports read, in[k] for k = 0, 1, ...:";
        for (const auto& in : m_.inputs) out += " " + in;
        return out + "\n";
    }
    std::string steady_list() const {
        std::string list;
        int count = 0;
        for (std::size_t i = 0; i < m_.syntax.states.size(); ++i)
            if (m_.syntax.states[i].steady) list += (count++ ? ", " : "") + std::to_string(i);
        return "\nconstexpr int NS = " + std::to_string(count) + ";\nconstexpr int S[NS + 1] = {" +
               (count ? list : "0") + "};\n";
    }
    // `#line` makes a compiler message (should the checker let one through) name the model file's line.
    void line(const Statement& st, const std::string& code) {
        o_ << "#line " << st.value->at.line << " " << quoted(m_.syntax.file) << "\n    " << code << "\n";
    }
    // The `let`s computed once per binding, in order: those that read imported ports' initial values or not.
    std::vector<const Statement*> per_binding_lets(bool from_ports) const {
        std::vector<const Statement*> out;
        for (const auto& st : m_.syntax.statements)
            if (st.kind == Statement::Kind::let) {
                const Symbol& d = m_.symbols.at(st.target.name);
                if (!d.dynamic && d.from_ports == from_ports) out.push_back(&st);
            }
        return out;
    }
    // The lets that change with the states, each after what it reads, the exps of those ready at once taken in
    // one mf::exp_n call (4 lanes at a time), as a hand-written model vectorizes them.
    void dynamic_lets(const std::string& type) {
        std::vector<const Statement*> pending;
        for (const auto& st : m_.syntax.statements)
            if (st.kind == Statement::Kind::let && m_.symbols.at(st.target.name).dynamic) pending.push_back(&st);
        std::set<std::string> done;
        exps_.clear();
        for (int batch = 0; !pending.empty(); ++batch) {
            for (auto it = pending.begin(); it != pending.end();) {
                if (!ready(*(*it)->value, done, true)) { ++it; continue; }
                line(**it, "const " + type + " u_" + (*it)->target.name + " = " + expr(*(*it)->value) + ";");
                done.insert((*it)->target.name);
                it = pending.erase(it);
            }
            std::vector<const Expression*> exps;
            for (const Statement* st : pending) ready_exps(*st->value, done, exps);
            if (exps.empty() && !pending.empty()) {  // not expected (lets read only earlier lets): all inline
                for (const Statement* st : pending) all_exps(*st->value, exps);
                for (const Expression* e : exps) exps_[e] = "";
                continue;
            }
            const std::string name = "ex" + std::to_string(batch);
            std::string args;
            for (std::size_t i = 0; i < exps.size(); ++i) {
                args += (i ? ", " : "") + expr(*exps[i]->operands[0]);
                exps_[exps[i]] = exps.size() > 1 ? name + "[" + std::to_string(i) + "]" : "";
            }
            const std::size_t lanes = (exps.size() + 3) / 4 * 4;  // padded with zeros
            if (exps.size() > 1)
                o_ << "    " << type << " " << name << "_of[" << lanes << "] = {" << args << "}, " << name << "["
                   << lanes << "];\n    mf::exp_n(" << name << "_of, " << name << ", " << lanes << ");\n";
        }
    }
    // Whether e reads only lets in `done` (and, with `exps_known`, holds no exp not yet taken).
    bool ready(const Expression& e, const std::set<std::string>& done, bool exps_known) const {
        if (exps_known && e.kind == Expression::Kind::call && e.text == "exp" && !exps_.count(&e)) return false;
        if (e.kind == Expression::Kind::name) {
            const auto it = m_.symbols.find(e.text);
            if (it != m_.symbols.end() && it->second.kind == Symbol::Kind::derived && it->second.dynamic && !done.count(e.text))
                return false;
        }
        for (const auto& o : e.operands)
            if (!ready(*o, done, exps_known)) return false;
        return true;
    }
    void ready_exps(const Expression& e, const std::set<std::string>& done, std::vector<const Expression*>& out) const {
        if (e.kind == Expression::Kind::call && e.text == "exp" && !exps_.count(&e) && ready(*e.operands[0], done, true))
            return out.push_back(&e);
        for (const auto& o : e.operands) ready_exps(*o, done, out);
    }
    void all_exps(const Expression& e, std::vector<const Expression*>& out) const {
        if (e.kind == Expression::Kind::call && e.text == "exp") out.push_back(&e);
        for (const auto& o : e.operands) all_exps(*o, out);
    }
    void dose_property(Statement::Kind kind, const std::string& function, const std::string& arguments,
                       const std::string& otherwise) {
        o_ << "\ntemplate <class P>\nP " << function << "(" << arguments << ", const P* p, const double* c, const P* pre) {\n"
           << "    (void)p, (void)c, (void)pre;\n" << (kind != Statement::Kind::lag ? "    (void)amount;\n" : "")
           << "    switch (state) {\n";
        for (const auto& st : m_.syntax.statements)
            if (st.kind == kind)
                line(st, "case " + std::to_string(m_.symbols.at(st.target.name).index) + ": return " + expr(*st.value) + ";");
        o_ << "    default: return " << otherwise << ";\n    }\n}\n";
    }

    std::string name(const std::string& n) const {
        if (n == "t" || n == "amount") return n;
        const Symbol& s = m_.symbols.at(n);
        switch (s.kind) {
            case Symbol::Kind::parameter: return "p[" + std::to_string(s.index) + "]";
            case Symbol::Kind::covariate: return "c[" + std::to_string(s.index) + "]";
            case Symbol::Kind::state: return "x[" + std::to_string(s.index) + "]";
            case Symbol::Kind::input: return "in[" + std::to_string(s.index) + "]";
            case Symbol::Kind::derived: return s.dynamic ? "u_" + n : "pre[" + std::to_string(s.precomputed) + "]";
            default: return n;
        }
    }

    std::string expr(const Expression& e) const {
        switch (e.kind) {
            case Expression::Kind::number: return literal(e.number);
            case Expression::Kind::name: return name(e.text);
            case Expression::Kind::unary:
                return std::string("(") + (e.text == "neg" ? "-" : "!") + expr(*e.operands[0]) + ")";
            case Expression::Kind::call: {
                if (const auto it = exps_.find(&e); it != exps_.end() && !it->second.empty()) return it->second;
                if (e.text == "initial") return "pre[" + std::to_string(m_.initial_slots.at(e.operands[0]->text)) + "]";
                std::string out = "mf::" + std::string(e.text == "if" ? "pick" : e.text) + "(";
                for (std::size_t i = 0; i < e.operands.size(); ++i) out += (i ? ", " : "") + expr(*e.operands[i]);
                return out + ")";
            }
            case Expression::Kind::binary: break;
        }
        const std::string a = expr(*e.operands[0]), b = expr(*e.operands[1]);
        const std::string& op = e.text;
        if (op == "^") return "mf::pow(" + a + ", " + b + ")";
        if (op == "&&" || op == "||") return "(" + a + " " + op + " " + b + ")";
        if (op == "+" || op == "-" || op == "*" || op == "/") return "(" + a + " " + op + " " + b + ")";
        return "(mf::val(" + a + ") " + op + " mf::val(" + b + "))";
    }

    const CheckedModel& m_;
    std::ostringstream o_;
    std::map<const Expression*, std::string> exps_;  // exp calls taken by exp_n: the value's name ("": inline)
};

}  // namespace

std::string generate_cpp(const CheckedModel& model) { return Generator(model).run(); }

}  // namespace mobsim::model_file
