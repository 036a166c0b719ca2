using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AitreTts.Core.Errors;

namespace AitreTts.Core;

/// <summary>
/// Fields of the speech request body the module does not model (-ExtraBody), for a server's own options: Kokoro's
/// <c>lang_code</c> and <c>normalization_options</c>, LocalAI's <c>params</c>, ... Values may nest (hashtables and
/// lists). The fields the module writes itself cannot be set here, so a request never says two things at once.
/// </summary>
internal sealed class ExtraBodyFields
{
    // What each owned field is set by instead. stream_format: the module reads every answer as audio, so it never asks
    // for events (sse); instructions: -Instructions, which the model catalogue checks.
    private static readonly Dictionary<string, string> Owned = new(StringComparer.OrdinalIgnoreCase)
    {
        ["model"] = "-Model",
        ["input"] = "the text",
        ["voice"] = "-Voice",
        ["response_format"] = "-Format",
        ["speed"] = "-Speed",
        ["instructions"] = "-Instructions",
        ["stream_format"] = "the module, which reads every answer as audio and so never asks for events",
    };

    // Deep enough for any server's options, and a stop for a hashtable that holds itself.
    private const int DeepestNesting = 16;

    private readonly JsonObject _fields;

    private ExtraBodyFields(JsonObject fields)
    {
        _fields = fields;
        Canonical = CanonicalJson(fields);
    }

    /// <summary>The names the module owns, in the order the README lists them.</summary>
    public static IEnumerable<string> OwnedNames => Owned.Keys;

    public int Count => _fields.Count;

    /// <summary>The fields as compact JSON, names sorted at every level: the cache key's part, and what is shown.</summary>
    public string Canonical { get; }

    /// <summary>Fields from -ExtraBody: a hashtable or dictionary whose values are text, numbers, true/false, null, lists or hashtables.</summary>
    /// <param name="dictionary">The fields.</param>
    /// <param name="unwrap">Takes a value out of its PowerShell wrapper (PSObject), which the core does not know.</param>
    /// <exception cref="TtsException">TtsInvalidExtraField for an owned field, or a value JSON cannot hold.</exception>
    public static ExtraBodyFields From(IDictionary dictionary, Func<object?, object?>? unwrap = null)
    {
        unwrap ??= value => value;
        var fields = (JsonObject)ToNode(dictionary, unwrap, "-ExtraBody", 0)!;
        CheckNotOwned(fields.Select(f => f.Key));
        return new ExtraBodyFields(fields);
    }

    /// <summary>Fields stored in a profile; refused as -ExtraBody would refuse them.</summary>
    /// <exception cref="FormatException">The stored value is no JSON object, or sets an owned field.</exception>
    public static ExtraBodyFields Read(JsonNode? stored)
    {
        if (stored is not JsonObject fields)
        {
            throw new FormatException("ExtraBody must be a JSON object.");
        }

        try
        {
            CheckNotOwned(fields.Select(f => f.Key));
        }
        catch (TtsException ex)
        {
            throw new FormatException(ex.Message, ex);
        }

        return new ExtraBodyFields((JsonObject)JsonNode.Parse(fields.ToJsonString())!);
    }

    public JsonNode Write() => JsonNode.Parse(_fields.ToJsonString())!;

    /// <summary>Writes each field into the object <paramref name="writer"/> is writing, after the module's own.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        foreach (KeyValuePair<string, JsonNode?> field in _fields)
        {
            writer.WritePropertyName(field.Key);
            if (field.Value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                field.Value.WriteTo(writer);
            }
        }
    }

    public override string ToString() => Canonical;

    private static void CheckNotOwned(IEnumerable<string> names)
    {
        foreach (string name in names)
        {
            if (Owned.TryGetValue(name, out string? setBy))
            {
                throw new TtsException(
                    TtsErrorIds.InvalidExtraField,
                    TtsErrorCategory.InvalidArgument,
                    $"-ExtraBody cannot set '{name}': the module writes that field itself, from {setBy}. Extra fields are for what the module does not send ({string.Join(", ", Owned.Keys)} are its own).");
            }
        }
    }

    private static JsonNode? ToNode(object? value, Func<object?, object?> unwrap, string path, int depth)
    {
        value = unwrap(value);
        if (depth > DeepestNesting)
        {
            throw Invalid($"{path} nests deeper than {DeepestNesting} levels (does a hashtable hold itself?).");
        }

        switch (value)
        {
            case null:
                return null;
            case string text:
                return JsonValue.Create(text);
            case char letter:
                return JsonValue.Create(letter.ToString());
            case bool flag:
                return JsonValue.Create(flag);
            case Enum named:
                return JsonValue.Create(named.ToString());
            case sbyte or byte or short or ushort or int or uint or long:
                return JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture));
            case ulong large:
                return JsonValue.Create(large);
            case decimal exact:
                return JsonValue.Create(exact);
            case float or double:
                double number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                return double.IsNaN(number) || double.IsInfinity(number) ? throw Invalid($"{path} is {number}, which JSON cannot hold.") : JsonValue.Create(number);
            case IDictionary dictionary:
                var fields = new JsonObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    string name = unwrap(entry.Key) as string ?? throw Invalid($"{path} has a name that is not text ({entry.Key}).");
                    fields[name] = ToNode(entry.Value, unwrap, path + "." + name, depth + 1);
                }

                return fields;
            case IEnumerable list:
                var items = new JsonArray();
                int index = 0;
                foreach (object? item in list)
                {
                    items.Add(ToNode(item, unwrap, path + "[" + index.ToString(CultureInfo.InvariantCulture) + "]", depth + 1));
                    index++;
                }

                return items;
            default:
                throw Invalid($"{path} is a {value.GetType().Name}, which is no JSON value: give text, a number, $true or $false, $null, a list or a hashtable.");
        }
    }

    private static TtsException Invalid(string message) => new(TtsErrorIds.InvalidExtraField, TtsErrorCategory.InvalidArgument, message);

    private static string CanonicalJson(JsonNode? node)
    {
        var text = new StringBuilder();
        AppendCanonical(text, node);
        return text.ToString();
    }

    private static void AppendCanonical(StringBuilder text, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject fields:
                text.Append('{');
                bool first = true;
                foreach (KeyValuePair<string, JsonNode?> field in fields.OrderBy(f => f.Key, StringComparer.Ordinal))
                {
                    text.Append(first ? string.Empty : ",").Append(JsonSerializer.Serialize(field.Key)).Append(':');
                    AppendCanonical(text, field.Value);
                    first = false;
                }

                text.Append('}');
                break;
            case JsonArray items:
                text.Append('[');
                for (int i = 0; i < items.Count; i++)
                {
                    text.Append(i == 0 ? string.Empty : ",");
                    AppendCanonical(text, items[i]);
                }

                text.Append(']');
                break;
            case null:
                text.Append("null");
                break;
            default:
                text.Append(node.ToJsonString());
                break;
        }
    }
}
