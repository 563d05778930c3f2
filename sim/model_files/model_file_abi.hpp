// The binary interface between mobsim and a compiled model file: plain C, so that a model library depends on
// no mobsim header and on no C++ class layout. The generator writes this same declaration (as text) into every
// generated source, so the two cannot drift. A new layout takes a new version number and symbol name.
#pragma once

#define MOBSIM_MODEL_FILE_ABI_VERSION 1
#define MOBSIM_MODEL_FILE_FACTORY "mobsim_model_file_abi_v1"
#define MOBSIM_MODEL_FILE_ABI_STRUCT                                                                              \
    struct MobsimModelFileAbiV1 {                                                                                 \
        unsigned abi_version;                                                                                     \
        int n_states, n_parameters, n_covariates, n_outputs, n_precomputed;                                       \
        const char* source_sha256;                                                                                \
        void (*prepare)(const double* p, const double* c, double* pre);                                           \
        void (*initial_state)(const double* p, const double* c, const double* pre, double* x);                    \
        void (*rhs)(double t, const double* x, const double* p, const double* c, const double* pre, double* dx); \
        void (*jacobian)(double t, const double* x, const double* p, const double* c, const double* pre,          \
                         double* jacobian, double* dfdt);                                                          \
        void (*observe)(double t, const double* x, const double* p, const double* c, const double* pre,           \
                        double* y);                                                                               \
        double (*bioavailability)(int state, double amount, const double* p, const double* c, const double* pre); \
        double (*lag_time_h)(int state, const double* p, const double* c, const double* pre);                     \
    }

// Forward sensitivities to every parameter (n_parameters directions): each derivative array holds, per value,
// its derivatives along the parameters (row-major, stride n_parameters). rhs takes the states and their
// sensitivities dx/dp and returns dx/dt and d/dt (dx/dp) = J dx/dp + df/dp. A separate symbol, so that the
// engine's interface above is unchanged.
#define MOBSIM_MODEL_FILE_SENSITIVITIES "mobsim_model_file_sensitivities_v1"
#define MOBSIM_MODEL_FILE_SENSITIVITIES_STRUCT                                                                    \
    struct MobsimModelFileSensitivitiesV1 {                                                                       \
        int n_parameters, n_outputs;                                                                              \
        void (*prepare)(const double* p, const double* c, double* pre, double* dpre);                             \
        void (*initial_state)(const double* p, const double* c, const double* pre, const double* dpre, double* x, \
                              double* dx);                                                                        \
        void (*rhs)(double t, const double* x, const double* dx, const double* p, const double* c,                \
                    const double* pre, const double* dpre, double* f, double* df);                                \
        void (*observe)(double t, const double* x, const double* dx, const double* p, const double* c,            \
                        const double* pre, const double* dpre, double* y, double* dy);                            \
        double (*bioavailability)(int state, double amount, const double* p, const double* c, const double* pre,  \
                                  const double* dpre, double* d);                                                 \
        double (*lag_time_h)(int state, const double* p, const double* c, const double* pre, const double* dpre,  \
                             double* d);                                                                          \
    }

// Model-set zero-order inputs (a dose asking for them: RATE -1 / -2, or a regimen's `rate_per_h: model` /
// `duration_h: model`): the rate (state unit per hour) or duration (hours) of a dose of `amount` into `state`,
// 0 where the model file sets none. A separate symbol, like the sensitivities, so the values' layout is unchanged.
#define MOBSIM_MODEL_FILE_INFUSIONS "mobsim_model_file_infusions_v1"
#define MOBSIM_MODEL_FILE_INFUSIONS_STRUCT                                                                        \
    struct MobsimModelFileInfusionsV1 {                                                                           \
        double (*rate_per_h)(int state, double amount, const double* p, const double* c, const double* pre);     \
        double (*duration_h)(int state, double amount, const double* p, const double* c, const double* pre);     \
    }

// A file that imports components, where `in` holds the ports the file reads, in order: prepare, once the
// components' initial state is known, sets the values of `pre` that read the ports' initial values
// (initial(NAME.PORT)); rhs and observe take the states and the ports apart (x then holds the N states only).
#define MOBSIM_MODEL_FILE_IMPORTS "mobsim_model_file_imports_v1"
#define MOBSIM_MODEL_FILE_IMPORTS_STRUCT                                                                          \
    struct MobsimModelFileImportsV1 {                                                                             \
        void (*prepare)(const double* p, const double* c, const double* in, double* pre);                         \
        void (*rhs)(double t, const double* x, const double* in, const double* p, const double* c,                \
                    const double* pre, double* dx);                                                               \
        void (*observe)(double t, const double* x, const double* in, const double* p, const double* c,            \
                        const double* pre, double* y);                                                            \
    }

extern "C" {
MOBSIM_MODEL_FILE_ABI_STRUCT;
MOBSIM_MODEL_FILE_SENSITIVITIES_STRUCT;
MOBSIM_MODEL_FILE_INFUSIONS_STRUCT;
MOBSIM_MODEL_FILE_IMPORTS_STRUCT;
}

#define MOBSIM_MODEL_FILE_TEXT_(...) #__VA_ARGS__
#define MOBSIM_MODEL_FILE_TEXT(...) MOBSIM_MODEL_FILE_TEXT_(__VA_ARGS__)
