using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace AmebaOta.Cli;

/// <summary>
/// Board addresses as users type them, read strictly: a typo must never send firmware to another host. Accepted: a
/// dotted-quad IPv4 address (four numbers 0-255: <c>192.168.1.50</c>), an IPv6 address where the command supports it
/// (<c>::1</c>, <c>[fe80::1]</c>), or a host name, which is resolved here, explicitly. Refused with one line: the
/// shorthand forms the C library also takes as IPv4 (<c>127.1</c>, <c>2130706433</c>, <c>1.2.3</c>, <c>0x7f.0.0.1</c>,
/// octal <c>010.0.0.1</c>), which are far more often typos than intent.
/// </summary>
public static partial class AddressParsing
{
    /// <summary>Parses <paramref name="text"/> (given with <paramref name="option"/>); names are resolved when <paramref name="allowNames"/>.</summary>
    public static IPAddress Parse(string text, string option, bool allowIpv6 = true, bool allowNames = true)
    {
        string t = text.Trim();
        if (t.Length == 0) throw Usage($"{option} needs an address (for example 192.168.1.50)");
        if (LooksNumeric().IsMatch(t))
        {
            if (DottedQuad().IsMatch(t) && IPAddress.TryParse(t, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork) return v4;
            throw Usage($"{option} '{text}' is not a dotted-quad IPv4 address: write all four numbers, 0 to 255, without leading zeros (for example 192.168.1.50)");
        }
        if (t.Contains(':'))
        {
            string inner = t.StartsWith('[') && t.EndsWith(']') ? t[1..^1] : t;
            if (!IPAddress.TryParse(inner, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
                throw Usage($"{option} '{text}' is not an IP address (for example 192.168.1.50{(allowIpv6 ? ", or ::1" : "")})");
            if (!allowIpv6) throw Usage($"{option} '{text}' is an IPv6 address; this takes IPv4 only (for example 192.168.1.50)");
            return v6;
        }
        if (!HostName().IsMatch(t) || t.Length > 253)
            throw Usage($"{option} '{text}' is neither an IP address nor a host name (for example 192.168.1.50, or myboard.lan)");
        if (!allowNames) throw Usage($"{option} '{text}' is not an IP address: give one (for example 192.168.1.50)");
        return Resolve(t, option, allowIpv6);
    }

    /// <summary><c>ADDRESS</c> (with <paramref name="defaultPort"/>), <c>ADDRESS:PORT</c> or <c>[IPv6]:PORT</c>.</summary>
    public static IPEndPoint ParseEndPoint(string text, string option, int defaultPort)
    {
        string t = text.Trim();
        string host = t;
        string? portText = null;
        if (t.StartsWith('[') && t.IndexOf("]:", StringComparison.Ordinal) is int close and > 0)
        {
            host = t[..(close + 1)];
            portText = t[(close + 2)..];
        }
        else if (t.Count(c => c == ':') == 1)
        {
            host = t[..t.IndexOf(':')];
            portText = t[(t.IndexOf(':') + 1)..];
        }
        int port = defaultPort;
        if (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
            throw Usage($"{option} '{text}': the port after ':' must be a number from 1 to 65535");
        return new IPEndPoint(Parse(host, option), port);
    }

    private static IPAddress Resolve(string name, string option, bool allowIpv6)
    {
        IPAddress[] found;
        try
        {
            found = Dns.GetHostAddresses(name);
        }
        catch (SocketException)
        {
            throw new CliError(ExitCodes.CannotConnect, $"{option} '{name}': no such host (the name does not resolve to an address)");
        }
        return found.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? (allowIpv6 ? found.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetworkV6) : null)
            ?? throw new CliError(ExitCodes.CannotConnect, $"{option} '{name}' has no {(allowIpv6 ? "" : "IPv4 ")}address");
    }

    private static CliError Usage(string message) => new(ExitCodes.Usage, message);

    /// <summary>Only numbers (decimal, 0x hex) and dots: meant as an IPv4 address, so it must be a full dotted quad.</summary>
    [GeneratedRegex(@"^(0[xX][0-9a-fA-F]*|[0-9]+)(\.(0[xX][0-9a-fA-F]*|[0-9]+))*\.?$")]
    private static partial Regex LooksNumeric();

    [GeneratedRegex(@"^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$")]
    private static partial Regex DottedQuad();

    /// <summary>RFC 1123 host names: labels of letters, digits and hyphens, 1 to 63 long, not starting or ending with a hyphen.</summary>
    [GeneratedRegex(@"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$")]
    private static partial Regex HostName();
}
