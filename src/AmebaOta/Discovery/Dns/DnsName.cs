using System.Text;

namespace AmebaOta.Discovery.Dns;

/// <summary>
/// A domain name as a list of labels. Labels are UTF-8 on the wire and may hold any character, dots and spaces included
/// (RFC 6763 §4.3: <c>My Ameba (2)</c> is one label). Compared case-insensitively, as DNS does.
/// </summary>
internal sealed class DnsName : IEquatable<DnsName>
{
    /// <summary>RFC 1035: at most 255 bytes on the wire (labels plus their length bytes plus the root byte).</summary>
    public const int MaxWireLength = 255;
    public const int MaxLabelLength = 63;

    private readonly string[] _labels;

    public DnsName(params string[] labels)
    {
        int wire = 1;
        foreach (var label in labels)
        {
            int bytes = Encoding.UTF8.GetByteCount(label);
            if (bytes is 0 or > MaxLabelLength) throw new DnsFormatException($"label '{label}' must be 1..{MaxLabelLength} bytes of UTF-8, is {bytes}");
            wire += 1 + bytes;
        }
        if (wire > MaxWireLength) throw new DnsFormatException($"name is {wire} bytes on the wire, more than {MaxWireLength}");
        _labels = labels;
        WireLength = wire;
    }

    internal DnsName(string[] labels, int wireLength)
    {
        _labels = labels;
        WireLength = wireLength;
    }

    public IReadOnlyList<string> Labels => _labels;

    /// <summary>Bytes this name takes on the wire without compression.</summary>
    public int WireLength { get; }

    /// <summary>Parses presentation form: labels separated by dots, <c>\.</c> and <c>\\</c> escape a dot or backslash inside a label; a trailing dot is optional.</summary>
    public static DnsName Parse(string text)
    {
        var labels = new List<string>();
        var current = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\\' && i + 1 < text.Length) current.Append(text[++i]);
            else if (c == '.')
            {
                if (current.Length == 0) throw new DnsFormatException($"empty label in '{text}'");
                labels.Add(current.ToString());
                current.Clear();
            }
            else current.Append(c);
        }
        if (current.Length > 0) labels.Add(current.ToString());
        return new DnsName([.. labels]);
    }

    /// <summary>This name with <paramref name="suffix"/>'s labels appended.</summary>
    public DnsName Append(DnsName suffix) => new([.. _labels, .. suffix._labels]);

    /// <summary>A name made of one leading label (an instance name, used verbatim) and this name.</summary>
    public DnsName Prepend(string label) => new([label, .. _labels]);

    /// <summary>True when this name ends with every label of <paramref name="suffix"/>.</summary>
    public bool EndsWith(DnsName suffix)
    {
        int offset = _labels.Length - suffix._labels.Length;
        if (offset < 0) return false;
        for (int i = 0; i < suffix._labels.Length; i++)
            if (!LabelEquals(_labels[offset + i], suffix._labels[i])) return false;
        return true;
    }

    public static bool LabelEquals(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    public bool Equals(DnsName? other)
    {
        if (other is null || other._labels.Length != _labels.Length) return false;
        for (int i = 0; i < _labels.Length; i++)
            if (!LabelEquals(_labels[i], other._labels[i])) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is DnsName n && Equals(n);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var label in _labels) hash.Add(label, StringComparer.OrdinalIgnoreCase);
        return hash.ToHashCode();
    }

    public static bool operator ==(DnsName? a, DnsName? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(DnsName? a, DnsName? b) => !(a == b);

    /// <summary>Presentation form with a trailing dot, dots and backslashes inside labels escaped.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var label in _labels)
        {
            foreach (char c in label)
            {
                if (c is '.' or '\\') sb.Append('\\');
                sb.Append(c);
            }
            sb.Append('.');
        }
        return sb.Length == 0 ? "." : sb.ToString();
    }
}
