#include "sim/model_files/model_file_check.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "sim/base/errors.hpp"
#include "sim/model_files/model_file_imports.hpp"
#include "sim/model_files/model_file_units.hpp"
#include "sim/base/sha256.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim::model_file {

namespace {

using Dim = std::optional<Dimension>;  // nullopt: not known (no unit declared, or a bare number)

struct Value {
    Dim dim;
    bool dynamic = false;
    bool condition = false;
    bool from_ports = false;  // reads imported ports' initial values: known once the components' initial state is
};

Dimension hours() {
    Dimension d;
    d.exponents["time"] = 1;
    return d;
}

// per_dose: may use the dose's `amount`; initial: an initial value, which may read imported ports (at t = 0)
enum class Where { per_binding, dynamic, per_dose, initial };

std::string where_text(Statement::Kind kind) {
    switch (kind) {
        case Statement::Kind::let: return "derived quantity";
        case Statement::Kind::derivative: return "equation";
        case Statement::Kind::output: return "output";
        case Statement::Kind::bioavailability: return "bioavailability";
        case Statement::Kind::lag: return "lag";
        case Statement::Kind::rate: return "infusion rate";
        case Statement::Kind::duration: return "infusion duration";
    }
    return "";
}

class Checker {
public:
    Checker(CheckedModel& m, const ComponentSource* components, std::vector<Diagnostic>& errors)
        : m_(m), errors_(errors), imports_(m.syntax, components, errors) {}

    void run() {
        auto& s = m_.syntax;
        for (std::size_t i = 0; i < s.parameters.size(); ++i) {
            const auto& p = s.parameters[i];
            declare(p, {Symbol::Kind::parameter, static_cast<int>(i)});
            imports_.check_declared(p, "parameter");
            if (!(p.lower <= p.value && p.value <= p.upper))
                error(p.at, "parameter '" + p.name + "': value " + number(p.value) + " is outside its bounds(" +
                                number(p.lower) + ", " + number(p.upper) + ")");
        }
        for (std::size_t i = 0; i < s.covariates.size(); ++i) {
            declare(s.covariates[i], {Symbol::Kind::covariate, static_cast<int>(i)});
            imports_.check_declared(s.covariates[i], "covariate", s.covariates[i].unit);
        }
        for (std::size_t i = 0; i < s.states.size(); ++i) {
            declare(s.states[i], {Symbol::Kind::state, static_cast<int>(i)});
            imports_.check_declared(s.states[i], "state");
        }
        for (const auto& st : s.statements)
            if (st.kind == Statement::Kind::let) later_[st.target.name] = st.target.at;
        m_.derivative_of_state.assign(s.states.size(), -1);
        std::map<std::string, Position> outputs;
        std::map<std::string, Position> dose_properties;
        for (std::size_t i = 0; i < s.statements.size(); ++i) statement(static_cast<int>(i), outputs, dose_properties);
        for (auto& st : s.states) {
            if (!(st.tolerance_scale > 0.0))
                error(st.at, "state '" + st.name + "': tolerance_scale must be positive, found " + number(st.tolerance_scale));
            if (st.steady && st.cumulative)
                error(st.at, "state '" + st.name + "' is cumulative (an accumulator), so it has no steady state");
            if (!st.initial) continue;
            const Value v = expression(*st.initial, Where::initial);
            same_dimension(st.at, std::string(st.steady ? "steady-state starting point" : "initial value") + " of '" + st.name + "'",
                           v.dim, declared_dim(st.name));
        }
        for (std::size_t i = 0; i < s.states.size(); ++i)
            if (m_.derivative_of_state[i] < 0)
                error(s.states[i].at, "state '" + s.states[i].name + "' has no equation: add d/dt(" +
                                          s.states[i].name + ") = ...");
        if (s.states.empty() && imports_.empty()) error({1, 1}, "the model declares no state");
    }

private:
    static std::string number(double v) {
        std::ostringstream o;
        o << v;
        return o.str();
    }
    void error(Position at, std::string message) { errors_.push_back({at, std::move(message)}); }

    Dim declared_dim(const std::string& name) const {
        const auto it = dims_.find(name);
        return it == dims_.end() ? std::nullopt : it->second;
    }
    Dim parse_dim(const Declared& d) {
        if (d.unit.empty()) return std::nullopt;
        std::string message;
        Dim dim = parse_unit(d.unit, message);
        if (!dim) error(d.at, message);
        return dim;
    }
    void declare(const Declared& d, Symbol symbol) {
        if (d.name == "t" || d.name == "amount" || function_arity(d.name) >= 0)
            return error(d.at, "'" + d.name + "' is reserved (time, dose amount or a function); choose another name");
        if (d.name.find('.') != std::string::npos)
            return error(d.at, "a declared name cannot contain '.' ('" + d.name + "'; NAME.PORT reads an imported port)");
        if (const auto it = m_.symbols.find(d.name); it != m_.symbols.end())
            return error(d.at, "'" + d.name + "' is already declared at line " + std::to_string(positions_[d.name].line));
        m_.symbols[d.name] = symbol;
        positions_[d.name] = d.at;
        dims_[d.name] = parse_dim(d);
    }

    void same_dimension(Position at, const std::string& what, const Dim& found, const Dim& expected) {
        if (found && expected && *found != *expected)
            error(at, "unit mismatch: " + what + " has dimension " + found->describe() + ", expected " +
                          expected->describe());
    }

    int state_target(const Declared& target) {
        const auto it = m_.symbols.find(target.name);
        if (it != m_.symbols.end() && it->second.kind == Symbol::Kind::state) return it->second.index;
        std::vector<std::string> states;
        for (const auto& s : m_.syntax.states) states.push_back(s.name);
        error(target.at, "'" + target.name + "' is not a state" + did_you_mean(target.name, states));
        return -1;
    }

    void statement(int index, std::map<std::string, Position>& outputs, std::map<std::string, Position>& dose) {
        Statement& st = m_.syntax.statements[index];
        const bool per_dose = st.kind == Statement::Kind::bioavailability || st.kind == Statement::Kind::rate ||
                              st.kind == Statement::Kind::duration;
        const Where where = per_dose ? Where::per_dose : st.kind == Statement::Kind::lag ? Where::per_binding : Where::dynamic;
        const Value v = expression(*st.value, where);
        const std::string what = where_text(st.kind) + " '" + st.target.name + "'";
        if (v.condition) error(st.value->at, what + " is a condition; use if(condition, a, b) for a number");
        const Dimension time = hours();
        switch (st.kind) {
            case Statement::Kind::let: {
                Symbol symbol{Symbol::Kind::derived, index, v.dynamic};
                if (!v.dynamic) symbol.precomputed = m_.precomputed_count++;
                symbol.from_ports = v.from_ports;
                const Dim declared = parse_dim(st.target);
                same_dimension(st.value->at, what, v.dim, declared);
                declare(st.target, symbol);
                imports_.check_declared(st.target, "derived quantity");
                if (!declared) dims_[st.target.name] = v.dim;
                break;
            }
            case Statement::Kind::derivative: {
                const int s = state_target(st.target);
                if (s < 0) break;
                if (m_.derivative_of_state[s] >= 0)
                    error(st.target.at, "state '" + st.target.name + "' already has an equation at line " +
                                            std::to_string(m_.syntax.statements[m_.derivative_of_state[s]].target.at.line));
                m_.derivative_of_state[s] = index;
                const Dim x = declared_dim(st.target.name);
                same_dimension(st.value->at, "d/dt(" + st.target.name + ")", v.dim,
                               x ? Dim(x->times(time, -1)) : std::nullopt);
                break;
            }
            case Statement::Kind::output:
                if (st.target.name.find('.') != std::string::npos)
                    error(st.target.at, "an output's name cannot contain '.' ('" + st.target.name + "')");
                if (!outputs.emplace(st.target.name, st.target.at).second)
                    error(st.target.at, "output '" + st.target.name + "' is already declared at line " +
                                            std::to_string(outputs[st.target.name].line));
                same_dimension(st.value->at, what, v.dim, parse_dim(st.target));
                imports_.check_declared(st.target, "output");
                break;
            case Statement::Kind::bioavailability:
            case Statement::Kind::lag:
            case Statement::Kind::rate:
            case Statement::Kind::duration: {
                if (state_target(st.target) < 0) break;
                if (!imports_.empty() && (st.kind == Statement::Kind::rate || st.kind == Statement::Kind::duration))
                    error(st.target.at, "a model-set infusion is not available in a model file that imports components (yet)");
                const std::string key = where_text(st.kind) + " " + st.target.name;
                if (!dose.emplace(key, st.target.at).second)
                    error(st.target.at, "the " + key + " is already given at line " + std::to_string(dose[key].line));
                const Dim x = declared_dim(st.target.name);
                const Dim expected = st.kind == Statement::Kind::bioavailability ? Dim(Dimension{})
                                     : st.kind == Statement::Kind::rate ? (x ? Dim(x->times(time, -1)) : std::nullopt)
                                                                        : Dim(time);
                same_dimension(st.value->at, what, v.dim, expected);
                break;
            }
        }
    }

    Value name(const Expression& e, Where where) {
        if (e.text == "t") {
            if (where != Where::dynamic) error(e.at, "time 't' can be used only in equations, derived quantities and outputs");
            return {hours(), true, false};
        }
        if (e.text.find('.') != std::string::npos) return port(e, where);
        if (e.text == "amount") {
            if (where != Where::per_dose)
                error(e.at, "'amount' (the dose amount) can be used only in a bioavailability, rate or duration");
            return {std::nullopt, false, false};
        }
        const auto it = m_.symbols.find(e.text);
        if (it == m_.symbols.end()) {
            if (const auto later = later_.find(e.text); later != later_.end())
                error(e.at, "'" + e.text + "' is used before its definition at line " + std::to_string(later->second.line));
            else {
                std::vector<std::string> known = function_names();
                for (const auto& [n, s] : m_.symbols) known.push_back(n);
                known.push_back("t");
                error(e.at, "unknown name '" + e.text + "'" + did_you_mean(e.text, known));
            }
            return {};
        }
        const Symbol& s = it->second;
        const bool dynamic = s.kind == Symbol::Kind::state || (s.kind == Symbol::Kind::derived && s.dynamic);
        if (dynamic && where != Where::dynamic)
            error(e.at, "'" + e.text + "' changes with the states or time; an initial value or dose property may use "
                        "only parameters, covariates and quantities derived from them");
        else if (s.from_ports && where != Where::dynamic && where != Where::initial)
            error(e.at, "'" + e.text + "' reads imported ports' initial values (initial()); a dose property may not use it");
        return {declared_dim(e.text), dynamic, false, s.from_ports};
    }

    // NAME.PORT: an imported component's port, an input of the file's equations.
    Value port(const Expression& e, Where where) {
        if (!imports_.check_port(e.text, e.at)) return {};
        if (where != Where::dynamic && where != Where::initial)
            error(e.at, "'" + e.text + "' changes with the states; a dose property may not use it");
        auto [it, added] = m_.symbols.emplace(e.text, Symbol{Symbol::Kind::input, static_cast<int>(m_.inputs.size()), true});
        if (added) m_.inputs.push_back(e.text);
        return {std::nullopt, true, false};
    }

    // initial(NAME.PORT): the port's value at the imported components' initial state, fixed per patient, so that
    // quantities derived from it are computed once (after the components' initial state), not at every evaluation.
    Value initial(const Expression& e, Where where) {
        const Expression& arg = *e.operands[0];
        if (arg.kind != Expression::Kind::name || arg.text.find('.') == std::string::npos) {
            error(arg.at, "initial() takes an imported port, NAME.PORT (e.g. initial(filgrastim.free_concentration))");
            return {};
        }
        if (where == Where::per_binding || where == Where::per_dose) {
            error(e.at, "initial(" + arg.text + ") is known only from the components' initial state; a dose property may not use it");
            return {};
        }
        if (!imports_.check_port(arg.text, arg.at)) return {};
        port(arg, Where::initial);
        if (!m_.initial_slots.count(arg.text)) m_.initial_slots[arg.text] = m_.precomputed_count++;
        return {std::nullopt, false, false, true};
    }

    Value expression(const Expression& e, Where where) {
        switch (e.kind) {
            case Expression::Kind::number: return {};
            case Expression::Kind::name: return name(e, where);
            case Expression::Kind::unary: {
                Value v = expression(*e.operands[0], where);
                if ((e.text == "!") != v.condition)
                    error(e.at, e.text == "!" ? "'!' needs a condition" : "'-' cannot apply to a condition");
                return v;
            }
            case Expression::Kind::call: return call(e, where);
            case Expression::Kind::binary: break;
        }
        Value a = expression(*e.operands[0], where), b = expression(*e.operands[1], where);
        const std::string& op = e.text;
        const bool logical = op == "&&" || op == "||";
        if (logical != a.condition || logical != b.condition)
            error(e.at, logical ? "'" + op + "' needs conditions on both sides"
                                : "'" + op + "' cannot apply to a condition (use if(condition, a, b))");
        Value out{std::nullopt, a.dynamic || b.dynamic, false, a.from_ports || b.from_ports};
        if (logical) return out.condition = true, out;
        if (op == "+" || op == "-" || op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=") {
            if (a.dim && b.dim && *a.dim != *b.dim)
                error(e.at, "unit mismatch: '" + op + "' between " + a.dim->describe() + " and " + b.dim->describe());
            out.dim = a.dim ? a.dim : b.dim;
            out.condition = !(op == "+" || op == "-");
        } else if (op == "*" || op == "/") {
            if (a.dim && b.dim) out.dim = a.dim->times(*b.dim, op == "/" ? -1 : 1);
        } else {  // "^"
            out.dim = power(e, a, b, *e.operands[1]);
        }
        return out;
    }

    Dim power(const Expression& at, const Value& base, const Value& exponent, const Expression& exponent_expr) {
        if (exponent.dim && !exponent.dim->dimensionless())
            error(at.at, "an exponent must be dimensionless; it has dimension " + exponent.dim->describe());
        if (!base.dim || base.dim->dimensionless()) return base.dim;
        const double n = exponent_expr.kind == Expression::Kind::number ? exponent_expr.number : 0.5;
        if (n != std::round(n)) {
            error(at.at, "a quantity of dimension " + base.dim->describe() + " can be raised only to an integer constant");
            return std::nullopt;
        }
        return base.dim->power(static_cast<int>(n));
    }

    Value call(const Expression& e, Where where) {
        const int arity = function_arity(e.text);
        if (arity < 0) {
            error(e.at, "unknown function '" + e.text + "'" + did_you_mean(e.text, function_names()));
            return {};
        }
        if (static_cast<int>(e.operands.size()) != arity) {
            error(e.at, e.text + "() takes " + std::to_string(arity) + " argument" + (arity > 1 ? "s" : "") +
                            ", found " + std::to_string(e.operands.size()));
            return {};
        }
        if (e.text == "initial") return initial(e, where);
        std::vector<Value> args;
        for (const auto& o : e.operands) args.push_back(expression(*o, where));
        Value out;
        for (std::size_t i = 0; i < args.size(); ++i) {
            out.dynamic = out.dynamic || args[i].dynamic;
            out.from_ports = out.from_ports || args[i].from_ports;
            const bool wants_condition = e.text == "if" && i == 0;
            if (args[i].condition != wants_condition)
                error(e.operands[i]->at, wants_condition ? "if() needs a condition (a comparison) first"
                                                         : "a condition cannot be a number here (use if())");
        }
        const std::string& f = e.text;
        if (f == "if" || f == "min" || f == "max") {
            const Value& a = args[f == "if" ? 1 : 0];
            const Value& b = args[f == "if" ? 2 : 1];
            if (a.dim && b.dim && *a.dim != *b.dim)
                error(e.at, "unit mismatch: " + f + "() between " + a.dim->describe() + " and " + b.dim->describe());
            out.dim = a.dim ? a.dim : b.dim;
        } else if (f == "abs") {
            out.dim = args[0].dim;
        } else if (f == "pow") {
            out.dim = power(e, args[0], args[1], *e.operands[1]);
        } else if (f == "sqrt") {
            if (args[0].dim) {
                Dimension half;
                for (const auto& [base, n] : args[0].dim->exponents) {
                    if (n % 2) error(e.at, "sqrt() of dimension " + args[0].dim->describe() + " has no unit");
                    half.exponents[base] = n / 2;
                }
                out.dim = half;
            }
        } else {
            if (args[0].dim && !args[0].dim->dimensionless())
                error(e.at, f + "() needs a dimensionless argument; it has dimension " + args[0].dim->describe());
            out.dim = Dimension{};
        }
        return out;
    }

    CheckedModel& m_;
    std::vector<Diagnostic>& errors_;
    std::map<std::string, Dim> dims_;
    std::map<std::string, Position> positions_;
    std::map<std::string, Position> later_;
    ImportScope imports_;
};

}  // namespace

CheckedModel check_model_text(const std::string& text, const std::string& file, const ComponentSource* components) {
    std::vector<Diagnostic> errors;
    CheckedModel m;
    m.syntax = parse_model_file(text, file, errors);
    m.source_sha256 = sha256_hex(text);
    if (m.syntax.name.empty()) m.syntax.name = std::filesystem::path(file).stem().string();
    if (errors.empty()) Checker(m, components, errors).run();
    if (errors.empty()) return m;
    std::stable_sort(errors.begin(), errors.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return a.at.line != b.at.line ? a.at.line < b.at.line : a.at.column < b.at.column;
    });
    std::string message;
    for (const auto& d : errors)
        message += (message.empty() ? "" : "\n") + file + ":" + std::to_string(d.at.line) + ":" +
                   std::to_string(d.at.column) + ": " + d.message;
    throw InputError(message);
}

CheckedModel read_model_file(const std::string& path, const ComponentSource* components) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot read the model file");
    std::ostringstream text;
    text << in.rdbuf();
    return check_model_text(text.str(), path, components);
}

}  // namespace mobsim::model_file
