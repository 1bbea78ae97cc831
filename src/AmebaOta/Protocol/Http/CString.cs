using System.Text;

namespace AmebaOta.Protocol.Http;

/// <summary>What the boards' C code does with byte buffers: <c>atoi</c>, and strings that end at the first NUL.</summary>
public static class CString
{
    /// <summary>newlib <c>atoi</c>: leading white space, a sign, digits up to the first non-digit; saturates instead of overflowing.</summary>
    public static int Atoi(string text)
    {
        int i = 0;
        while (i < text.Length && text[i] is ' ' or '\t' or '\n' or '\r' or '\f' or '\v') i++;
        bool negative = false;
        if (i < text.Length && text[i] is '+' or '-') negative = text[i++] == '-';
        long value = 0;
        for (; i < text.Length && text[i] is >= '0' and <= '9'; i++)
        {
            value = value * 10 + (text[i] - '0');
            if (value > (long)int.MaxValue + 1) value = (long)int.MaxValue + 1;
        }
        if (negative) value = -value;
        return (int)Math.Clamp(value, int.MinValue, int.MaxValue);
    }

    /// <summary><c>atoi</c> on a zero-terminated buffer.</summary>
    public static int Atoi(ReadOnlySpan<byte> bytes) => Atoi(ToString(bytes));

    /// <summary>The bytes up to the first NUL (or all of them), one character per byte.</summary>
    public static string ToString(ReadOnlySpan<byte> bytes)
    {
        int end = bytes.IndexOf((byte)0);
        return Encoding.Latin1.GetString(end >= 0 ? bytes[..end] : bytes);
    }
}
