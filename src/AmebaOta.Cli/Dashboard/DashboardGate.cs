using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace AmebaOta.Cli.Dashboard;

/// <summary>
/// Who may do what. Reading (the page, the board list, the event streams) needs nothing; every request that changes
/// something (an image, a run, a stop, a board control) needs <c>Authorization: Bearer &lt;token&gt;</c>, the random token
/// printed in the terminal at start (the page takes it from the link's <c>#token=…</c>, which browsers never send to a
/// server). When the dashboard listens on loopback only, requests must also name a loopback host (<c>127.0.0.1</c>,
/// <c>localhost</c>, <c>[::1]</c>): a web page elsewhere cannot reach it through a name of its own (DNS rebinding).
/// </summary>
public sealed class DashboardGate(string token, bool loopbackOnly)
{
    public string Token => token;

    /// <summary>A fresh token: 128 random bits in hex.</summary>
    public static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public bool HostAllowed(HttpRequest request)
    {
        if (!loopbackOnly) return true;
        string host = request.Host.Host;
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    public bool Authorized(HttpRequest request)
    {
        string header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal)) return false;
        var given = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(token));
    }
}
