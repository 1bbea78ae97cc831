using System.Globalization;

namespace AmebaOta.Families.Ameba1.Pull;

/// <summary>
/// Where a pull sketch fetches its update: <c>HOST:PORT[/RESOURCE]</c>, as the stock examples hard-code it
/// (<c>REMOTE_ADDR</c>/<c>REMOTE_PORT</c> of <c>ota_cloud</c>, <c>HOST</c>/<c>PORT</c>/<c>RESOURCE</c> of <c>example_ota_http</c>).
/// The resource has no leading slash, as <c>http_update_ota</c> takes it; empty is the SDK example's default.
/// </summary>
public sealed record PullServerAddress(string Host, int Port, string Resource)
{
    /// <summary>Parses <c>HOST:PORT[/RESOURCE]</c>; returns null with a one-line reason when it is not one.</summary>
    public static PullServerAddress? TryParse(string text, out string? error)
    {
        error = null;
        string rest = text.Trim();
        string resource = "";
        int slash = rest.IndexOf('/');
        if (slash >= 0)
        {
            resource = rest[(slash + 1)..];
            rest = rest[..slash];
        }
        int colon = rest.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            error = $"'{text}' is not HOST:PORT[/RESOURCE] (for example 192.168.1.10:8080 or 192.168.1.10:8080/ota_sdk.bin)";
            return null;
        }
        string host = rest[..colon];
        if (host.Any(c => c <= ' ' || c > '~') || resource.Any(c => c <= ' ' || c > '~'))
        {
            error = $"'{text}' has characters a sketch's address cannot hold (printable ASCII only, no spaces)";
            return null;
        }
        return new PullServerAddress(host, port, resource);
    }

    /// <summary>The path a CloudOTA sketch asks for <paramref name="file"/> (<c>/check.txt</c>, <c>/ota.bin</c>), under the resource directory if there is one.</summary>
    public string CloudPath(string file) => Resource.Length == 0 ? "/" + file : $"/{Resource.TrimEnd('/')}/{file}";

    /// <inheritdoc />
    public override string ToString() => Resource.Length == 0 ? $"{Host}:{Port}" : $"{Host}:{Port}/{Resource}";
}
