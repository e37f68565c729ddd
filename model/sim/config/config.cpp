#include "sim/config/config.h"

#include <algorithm>
#include <stdexcept>

#include "sim/config/value_parse.h"

namespace nicsim::config {

std::string ValueSource::describe() const {
    switch (kind) {
        case SourceKind::Default: return "default";
        case SourceKind::File: return "file " + where.format();
        case SourceKind::Override: return "override " + where.format();
    }
    return "?";
}

Config::Config(const ParamRegistry& registry) : registry_(&registry) {
    for (const ParamSpec& s : registry.params()) values_.push_back(s.def);
    sources_.resize(values_.size());
}

size_t Config::index(std::string_view key) const {
    const int i = registry_->index_of(key);
    if (i < 0) throw std::logic_error("configuration key '" + std::string(key) + "' is not declared");
    return static_cast<size_t>(i);
}

const Value& Config::typed(std::string_view key, ParamType a, ParamType b) const {
    const size_t i = index(key);
    const ParamType t = registry_->params()[i].type;
    if (t != a && t != b)
        throw std::logic_error("configuration key '" + std::string(key) + "' is a " +
                               registry_->params()[i].type_name() + ", read with the wrong accessor");
    return values_[i];
}

bool Config::get_bool(std::string_view key) const {
    return std::get<bool>(typed(key, ParamType::Bool, ParamType::Bool));
}
int64_t Config::get_int(std::string_view key) const {
    return std::get<int64_t>(typed(key, ParamType::Int, ParamType::Int));
}
double Config::get_double(std::string_view key) const {
    return std::get<double>(typed(key, ParamType::Double, ParamType::Double));
}
int64_t Config::get_ps(std::string_view key) const {
    return std::get<int64_t>(typed(key, ParamType::Duration, ParamType::Duration));
}
const std::string& Config::get_string(std::string_view key) const {
    return std::get<std::string>(typed(key, ParamType::Enum, ParamType::String));
}
ConfigView Config::view(std::string prefix) const {
    if (!registry_->is_group(prefix)) throw std::logic_error("configuration group '" + prefix + "' does not exist");
    return ConfigView(*this, std::move(prefix));
}

const Value& Config::value(std::string_view key) const { return values_[index(key)]; }
const ValueSource& Config::source(std::string_view key) const { return sources_[index(key)]; }
std::string Config::text(std::string_view key) const {
    const size_t i = index(key);
    return format_value(registry_->params()[i], values_[i]);
}

std::string Config::set(std::string_view key, const Value& v, const ValueSource& src) {
    const size_t i = index(key);
    const ParamSpec& spec = registry_->params()[i];
    Value stored = v;
    const bool int_like = spec.type == ParamType::Int || spec.type == ParamType::Duration;
    if (spec.type == ParamType::Double && std::holds_alternative<int64_t>(v))
        stored = static_cast<double>(std::get<int64_t>(v));
    else if (v.index() != spec.def.index() || (int_like && !std::holds_alternative<int64_t>(v)))
        return "value has the wrong type for a " + spec.type_name() + " parameter";
    if (spec.type == ParamType::Enum) {
        const auto& s = std::get<std::string>(stored);
        if (std::find(spec.choices.begin(), spec.choices.end(), s) == spec.choices.end())
            return "expected one of " + spec.range_text() + ", got \"" + s + "\"";
    }
    std::string err = check_range(spec, stored);
    if (!err.empty()) return err;
    values_[i] = std::move(stored);
    sources_[i] = src;
    return {};
}

std::vector<Diagnostic> Config::check_constraints() const {
    std::vector<Diagnostic> out;
    for (const Constraint& c : registry_->constraints()) {
        std::string err = c.check(*this);
        if (err.empty()) continue;
        // Blame the key the user touched last, so the message points into their file.
        std::string key = c.keys.front();
        for (const std::string& k : c.keys) {
            if (source(k).kind != SourceKind::Default) key = k;
        }
        out.push_back(Diagnostic{source(key).where, key, std::move(err)});
    }
    return out;
}

size_t Config::explicit_count() const {
    size_t n = 0;
    for (const ValueSource& s : sources_) n += s.kind != SourceKind::Default;
    return n;
}

}  // namespace nicsim::config
