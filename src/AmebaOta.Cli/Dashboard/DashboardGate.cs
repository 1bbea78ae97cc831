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
/// A change is made, and recorded, as the user its token belongs to: the printed token is the OS user's who started the
/// dashboard; <c>--users FILE</c> gives each person a token of their own (<see cref="DashboardUsers"/>).
/// </summary>
public sealed class DashboardGate(string token, bool loopbackOnly, IReadOnlyList<DashboardUser>? users = null)
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

    public bool Authorized(HttpRequest request) => User(request) is not null;

    /// <summary>Who the request's token belongs to, or null: no token, or a wrong one.</summary>
    public string? User(HttpRequest request)
    {
        string header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal)) return null;
        var given = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        string? user = CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(token)) ? Fleet.History.Actor.OsUser : null;
        foreach (var u in users ?? [])
            if (CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(u.Token))) user = u.Name;
        return user;
    }
}
