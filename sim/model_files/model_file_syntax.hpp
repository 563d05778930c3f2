// Model files (docs/model-files.md): the syntax tree, and the hand-written lexer and parser that build it.
// Every node keeps the line and column it came from, so each later error points into the model file.
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace mobsim::model_file {

struct Position {
    int line = 0;
    int column = 0;
};

struct Expression {
    enum class Kind { number, name, unary, binary, call };
    Kind kind = Kind::number;
    Position at;
    double number = 0.0;
    std::string text;  // name, operator ("+", "<=", "&&", "neg", "!") or function name
    std::vector<std::unique_ptr<Expression>> operands;
};
using ExpressionPtr = std::unique_ptr<Expression>;

struct Declared {
    std::string name;
    Position at;
    std::string unit;  // as written between [ and ]; "" when not declared
    std::string description;
};

struct ParameterDecl : Declared {
    double value = 0.0;
    double lower = 0.0;
    double upper = 1e300;
    std::string source;
};

struct StateDecl : Declared {
    bool dosable = false;
    bool cumulative = false;
    ExpressionPtr initial;  // null: 0; with `steady`, Newton's starting point (null: 1)
    bool steady = false;    // `init = steady`: the untreated system's steady state at t = 0
    double tolerance_scale = 1.0;  // factor on the solver's tolerances for this state (StateInfo::tolerance_scale)
};

// A derived quantity (`let`), an equation (`d/dt(x) = ...`), an output or a dose property, in file order.
struct Statement {
    enum class Kind { let, derivative, output, bioavailability, lag, rate, duration };
    Kind kind = Kind::let;
    Declared target;  // the defined name, the state, or the output
    ExpressionPtr value;
};

struct ModelFileSyntax {
    std::string file;  // as given, for messages
    std::string name;
    Position name_at;  // of `model NAME`; line 0 when the name is the file's stem
    std::string description;
    std::vector<ParameterDecl> parameters;
    std::vector<Declared> covariates;
    std::vector<StateDecl> states;
    std::vector<Statement> statements;
    std::vector<Declared> imports;  // `import NAME`: shipped components, read as NAME.PORT
};

// An error at a position of the model file; the checker collects them, the reader throws them as InputError.
struct Diagnostic {
    Position at;
    std::string message;
};

// Parses `text` (the contents of `file`). Syntax errors are appended to `errors`; parsing resumes at the next
// line, so one pass reports every malformed line.
ModelFileSyntax parse_model_file(const std::string& text, const std::string& file, std::vector<Diagnostic>& errors);

// The functions an expression may call, with their argument counts.
int function_arity(const std::string& name);  // -1 when unknown
std::vector<std::string> function_names();

}  // namespace mobsim::model_file
