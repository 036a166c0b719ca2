using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace AitreTts.Core.Configuration;

/// <summary>
/// A partial set of settings from one place (a call's parameters, the session, the environment, the file).
/// A setting that is absent is "not set here": the next place in the precedence order decides.
/// </summary>
internal sealed class TtsSettings : IEnumerable<KeyValuePair<Setting, object>>
{
    private readonly Dictionary<Setting, object> _values;

    public TtsSettings()
    {
        _values = new Dictionary<Setting, object>();
    }

    private TtsSettings(Dictionary<Setting, object> values)
    {
        _values = new Dictionary<Setting, object>(values);
    }

    public T Get<T>(Setting<T> setting) => _values.TryGetValue(setting, out object? value) ? (T)value : default!;

    public object? this[Setting setting] => _values.TryGetValue(setting, out object? value) ? value : null;

    public bool IsSet(Setting setting) => _values.ContainsKey(setting);

    /// <summary>True when nothing is set here.</summary>
    public bool IsEmpty => _values.Count == 0;

    /// <summary>Sets a value; null unsets it.</summary>
    public void Set<T>(Setting<T> setting, T value) => SetValue(setting, value);

    /// <summary>For collection initializers: <c>new TtsSettings { { Setting.Voice, "nova" } }</c>.</summary>
    public void Add<T>(Setting<T> setting, T value) => SetValue(setting, value);

    internal void SetValue(Setting setting, object? value)
    {
        if (value is null)
        {
            _values.Remove(setting);
        }
        else
        {
            _values[setting] = value;
        }
    }

    public TtsSettings Clone() => new(_values);

    /// <summary>Copies every setting that <paramref name="changes"/> sets over this one.</summary>
    public void Apply(TtsSettings changes)
    {
        foreach (KeyValuePair<Setting, object> change in changes._values)
        {
            _values[change.Key] = change.Value;
        }
    }

    /// <summary>The parameters that set what is set here, in the list's order; never the values.</summary>
    public IReadOnlyList<string> SetMemberNames() => Setting.All.Where(_values.ContainsKey).Select(s => s.Parameter).Distinct().ToList();

    public IEnumerator<KeyValuePair<Setting, object>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Names the settings that are set, never their values.</summary>
    public override string ToString() => _values.Count == 0 ? "nothing" : string.Join(", ", SetMemberNames());
}
