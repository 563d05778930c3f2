#include "sim/model_files/model_file_syntax.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>

namespace mobsim::model_file {

namespace {

const std::map<std::string, int>& functions() {
    static const std::map<std::string, int> table = {
        {"exp", 1}, {"log", 1}, {"log10", 1}, {"sqrt", 1}, {"abs", 1},  {"sin", 1},
        {"cos", 1}, {"tanh", 1}, {"pow", 2},  {"min", 2},  {"max", 2}, {"if", 3}, {"initial", 1}};
    return table;
}

enum class Tok { identifier, number, string, unit, symbol, newline, end };

struct Token {
    Tok kind = Tok::end;
    std::string text;
    double number = 0.0;
    Position at;
};

// Splits the text into tokens. Newlines end statements except inside parentheses, so a long expression may
// continue on the next line after an open '('.
std::vector<Token> tokenize(const std::string& s, std::vector<Diagnostic>& errors) {
    std::vector<Token> out;
    int line = 1, column = 1, depth = 0;
    std::size_t i = 0;
    auto advance = [&](std::size_t n) {
        for (std::size_t k = 0; k < n && i < s.size(); ++k, ++i) {
            if (s[i] == '\n') ++line, column = 1;
            else ++column;
        }
    };
    while (i < s.size()) {
        const char c = s[i];
        const Position at{line, column};
        if (c == '#') {
            while (i < s.size() && s[i] != '\n') advance(1);
        } else if (c == '\n') {
            if (depth == 0 && !out.empty() && out.back().kind != Tok::newline) out.push_back({Tok::newline, "", 0, at});
            advance(1);
        } else if (std::isspace(static_cast<unsigned char>(c))) {
            advance(1);
        } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            std::size_t j = i;
            const auto word = [&](std::size_t k) {
                return k < s.size() && (std::isalnum(static_cast<unsigned char>(s[k])) || s[k] == '_');
            };
            while (word(j)) ++j;
            // a qualified name, an imported component's port: plerixafor.central_concentration
            if (j + 1 < s.size() && s[j] == '.' && (std::isalpha(static_cast<unsigned char>(s[j + 1])) || s[j + 1] == '_'))
                for (++j; word(j);) ++j;
            out.push_back({Tok::identifier, s.substr(i, j - i), 0, at});
            advance(j - i);
        } else if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
            char* end = nullptr;
            const double value = std::strtod(s.c_str() + i, &end);
            const std::size_t n = static_cast<std::size_t>(end - (s.c_str() + i));
            if (!std::isfinite(value)) errors.push_back({at, "number '" + s.substr(i, n) + "' is out of range"});
            out.push_back({Tok::number, s.substr(i, n), value, at});
            advance(n);
        } else if (c == '"' || c == '[') {
            const char close = c == '"' ? '"' : ']';
            const std::size_t j = s.find_first_of(std::string(1, close) + "\n", i + 1);
            if (j == std::string::npos || s[j] != close) {
                errors.push_back({at, std::string("unterminated ") + (c == '"' ? "string: missing '\"'" : "unit: missing ']'")});
                while (i < s.size() && s[i] != '\n') advance(1);
                continue;
            }
            out.push_back({c == '"' ? Tok::string : Tok::unit, s.substr(i + 1, j - i - 1), 0, at});
            advance(j - i + 1);
        } else {
            static const char* two[] = {"==", "!=", "<=", ">=", "&&", "||"};
            std::string op(1, c);
            for (const char* t : two)
                if (s.compare(i, 2, t) == 0) op = t;
            if (op.size() == 1 && std::string("+-*/^(),=<>!").find(c) == std::string::npos) {
                errors.push_back({at, std::string("unexpected character '") + c + "'"});
                advance(1);
                continue;
            }
            if (op == "(") ++depth;
            if (op == ")" && depth > 0) --depth;
            out.push_back({Tok::symbol, op, 0, at});
            advance(op.size());
        }
    }
    if (out.empty() || out.back().kind != Tok::newline) out.push_back({Tok::newline, "", 0, {line, column}});
    out.push_back({Tok::end, "", 0, {line, column}});
    return out;
}

struct SyntaxError {
    Diagnostic diagnostic;
};

class Parser {
public:
    Parser(std::vector<Token> tokens, ModelFileSyntax& out) : t_(std::move(tokens)), out_(out) {}

    void parse(std::vector<Diagnostic>& errors) {
        while (peek().kind != Tok::end) {
            try {
                statement();
            } catch (const SyntaxError& e) {
                errors.push_back(e.diagnostic);
                while (peek().kind != Tok::newline && peek().kind != Tok::end) ++k_;
            }
            if (peek().kind == Tok::newline) ++k_;
        }
    }

private:
    const Token& peek(std::size_t ahead = 0) const { return t_[std::min(k_ + ahead, t_.size() - 1)]; }
    const Token& next() { return t_[k_ < t_.size() - 1 ? k_++ : k_]; }
    [[noreturn]] void fail(const Token& at, const std::string& expected) const {
        const std::string found = at.kind == Tok::newline ? "end of line"
                                  : at.kind == Tok::end   ? "end of file"
                                                          : "'" + at.text + "'";
        throw SyntaxError{{at.at, "expected " + expected + ", found " + found}};
    }
    bool accept(const std::string& symbol) {
        if ((peek().kind == Tok::symbol || peek().kind == Tok::identifier) && peek().text == symbol) return ++k_, true;
        return false;
    }
    void expect(const std::string& symbol) {
        if (!accept(symbol)) fail(peek(), "'" + symbol + "'");
    }
    Declared name_token(const std::string& what) {
        if (peek().kind != Tok::identifier) fail(peek(), what);
        const Token& n = next();
        return {n.text, n.at, "", ""};
    }
    std::string optional_unit() { return peek().kind == Tok::unit ? next().text : ""; }
    double signed_number() {
        const bool negative = accept("-");
        if (peek().kind != Tok::number) fail(peek(), "a number");
        return negative ? -next().number : next().number;
    }
    void end_of_statement() {
        if (peek().kind != Tok::newline) fail(peek(), "end of line");
    }

    void statement() {
        const Token& head = peek();
        if (head.kind != Tok::identifier)
            fail(head, "a declaration (model, import, parameter, covariate, state, let, d/dt, output, dose)");
        const std::string word = head.text;
        if (word == "d" && peek(1).text == "/" && peek(2).text == "dt") {
            k_ += 3;
            expect("(");
            Statement s{Statement::Kind::derivative, name_token("a state name"), nullptr};
            expect(")");
            expect("=");
            s.value = expression();
            out_.statements.push_back(std::move(s));
        } else if (accept("model")) {
            const Declared name = name_token("the model's name");
            out_.name = name.name;
            out_.name_at = name.at;
        } else if (accept("import")) {
            out_.imports.push_back(name_token("a component's name (sorafenib, plerixafor, filgrastim, gilteritinib)"));
        } else if (accept("description")) {
            if (peek().kind != Tok::string) fail(peek(), "a quoted description");
            out_.description = next().text;
        } else if (accept("parameter")) {
            parameter();
        } else if (accept("covariate")) {
            Declared c = name_token("a covariate name");
            c.unit = optional_unit();
            if (peek().kind == Tok::string) c.description = next().text;
            out_.covariates.push_back(c);
        } else if (accept("state")) {
            state();
        } else if (accept("let") || accept("output")) {
            Statement s{word == "let" ? Statement::Kind::let : Statement::Kind::output, name_token("a name"), nullptr};
            s.target.unit = optional_unit();
            expect("=");
            s.value = expression();
            if (peek().kind == Tok::string) s.target.description = next().text;
            out_.statements.push_back(std::move(s));
        } else if (accept("dose")) {
            Statement s{Statement::Kind::bioavailability, name_token("a state name"), nullptr};
            if (accept("lag")) s.kind = Statement::Kind::lag;
            else if (accept("rate")) s.kind = Statement::Kind::rate;
            else if (accept("duration")) s.kind = Statement::Kind::duration;
            else if (!accept("bioavailability")) fail(peek(), "'bioavailability', 'lag', 'rate' or 'duration'");
            expect("=");
            s.value = expression();
            out_.statements.push_back(std::move(s));
        } else {
            fail(head, "a declaration (model, description, import, parameter, covariate, state, let, d/dt(x), output, dose)");
        }
        end_of_statement();
    }

    void parameter() {
        ParameterDecl p;
        static_cast<Declared&>(p) = name_token("a parameter name");
        expect("=");
        p.value = signed_number();
        p.unit = optional_unit();
        while (peek().kind != Tok::newline) {
            if (accept("bounds")) {
                expect("(");
                p.lower = signed_number();
                expect(",");
                p.upper = signed_number();
                expect(")");
            } else if (accept("source")) {
                if (peek().kind != Tok::string) fail(peek(), "a quoted source");
                p.source = next().text;
            } else if (peek().kind == Tok::string) {
                p.description = next().text;
            } else {
                fail(peek(), "bounds(lower, upper), source \"...\" or a quoted description");
            }
        }
        out_.parameters.push_back(std::move(p));
    }

    void state() {
        StateDecl s;
        static_cast<Declared&>(s) = name_token("a state name");
        s.unit = optional_unit();
        while (peek().kind != Tok::newline) {
            if (accept("dosable")) s.dosable = true;
            else if (accept("cumulative")) s.cumulative = true;
            else if (accept("tolerance_scale")) {
                expect("=");
                s.tolerance_scale = signed_number();
            }
            else if (accept("init")) {
                expect("=");
                if (peek().kind == Tok::identifier && peek().text == "steady") {
                    ++k_;
                    s.steady = true;
                    if (accept("(")) {
                        s.initial = expression();
                        expect(")");
                    }
                } else {
                    s.initial = expression();
                }
            } else if (peek().kind == Tok::string) s.description = next().text;
            else fail(peek(), "dosable, cumulative, init = ... (or init = steady), tolerance_scale = ... or a quoted description");
        }
        out_.states.push_back(std::move(s));
    }

    // Precedence climbing: || < && < comparisons < + - < * / < unary < ^ (right-associative).
    ExpressionPtr expression() { return binary(0); }
    ExpressionPtr binary(int level) {
        static const std::vector<std::vector<std::string>> levels = {
            {"||"}, {"&&"}, {"==", "!=", "<", "<=", ">", ">="}, {"+", "-"}, {"*", "/"}};
        if (level == static_cast<int>(levels.size())) return unary();
        ExpressionPtr left = binary(level + 1);
        for (;;) {
            const Token& op = peek();
            bool match = false;
            for (const auto& o : levels[level]) match = match || (op.kind == Tok::symbol && op.text == o);
            if (!match) return left;
            ++k_;
            ExpressionPtr right = binary(level + 1);
            left = node(Expression::Kind::binary, op, std::move(left), std::move(right));
            if (level == 2 && peek().kind == Tok::symbol &&
                (peek().text == "<" || peek().text == ">" || peek().text == "<=" || peek().text == ">="))
                fail(peek(), "'&&' between comparisons (a < b < c is ambiguous)");
        }
    }
    ExpressionPtr unary() {
        const Token& op = peek();
        // Each nesting level (parentheses, signs, powers) passes here: a bound keeps the recursion off the stack's end.
        if (++depth_ > kMaxDepth) throw SyntaxError{{op.at, "expression nested deeper than " + std::to_string(kMaxDepth) + " levels"}};
        struct Leave {
            int& depth;
            ~Leave() { --depth; }
        } leave{depth_};
        if (accept("-")) return node(Expression::Kind::unary, {Tok::symbol, "neg", 0, op.at}, unary());
        if (accept("+")) return unary();
        if (accept("!")) return node(Expression::Kind::unary, op, unary());
        return power();
    }
    ExpressionPtr power() {
        ExpressionPtr base = primary();
        const Token& op = peek();
        if (accept("^")) return node(Expression::Kind::binary, op, std::move(base), unary());
        return base;
    }
    ExpressionPtr primary() {
        const Token& tok = next();
        auto e = std::make_unique<Expression>();
        e->at = tok.at;
        if (tok.kind == Tok::number) {
            e->kind = Expression::Kind::number;
            e->number = tok.number;
            e->text = tok.text;
        } else if (tok.kind == Tok::identifier) {
            e->kind = Expression::Kind::name;
            e->text = tok.text;
            if (accept("(")) {
                e->kind = Expression::Kind::call;
                if (!accept(")")) {
                    do e->operands.push_back(expression());
                    while (accept(","));
                    expect(")");
                }
            }
        } else if (tok.kind == Tok::symbol && tok.text == "(") {
            e = expression();
            expect(")");
        } else {
            fail(tok, "a number, a name or '('");
        }
        return e;
    }
    static ExpressionPtr node(Expression::Kind kind, const Token& op, ExpressionPtr a, ExpressionPtr b = nullptr) {
        auto e = std::make_unique<Expression>();
        e->kind = kind;
        e->at = op.at;
        e->text = op.text;
        e->operands.push_back(std::move(a));
        if (b) e->operands.push_back(std::move(b));
        return e;
    }

    static constexpr int kMaxDepth = 200;
    std::vector<Token> t_;
    std::size_t k_ = 0;
    int depth_ = 0;
    ModelFileSyntax& out_;
};

}  // namespace

ModelFileSyntax parse_model_file(const std::string& text, const std::string& file, std::vector<Diagnostic>& errors) {
    ModelFileSyntax out;
    out.file = file;
    Parser(tokenize(text, errors), out).parse(errors);
    return out;
}

int function_arity(const std::string& name) {
    const auto it = functions().find(name);
    return it == functions().end() ? -1 : it->second;
}

std::vector<std::string> function_names() {
    std::vector<std::string> out;
    for (const auto& [name, arity] : functions()) out.push_back(name);
    return out;
}

}  // namespace mobsim::model_file
