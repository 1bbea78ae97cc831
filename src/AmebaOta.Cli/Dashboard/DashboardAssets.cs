using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace AmebaOta.Cli.Dashboard;

/// <summary>
/// The page's files (HTML, script, styles, icon), embedded in the executable: nothing comes from a CDN, so the page works
/// on a machine with no network beyond the boards'. Served with an ETag and a strict Content-Security-Policy (only our own
/// script and styles run).
/// </summary>
public static class DashboardAssets
{
    private const string Prefix = "dashboard/";
    private const string Policy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    private static readonly Dictionary<string, Asset> Assets = Load();

    private static Dictionary<string, Asset> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (string name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            assets[name[Prefix.Length..]] = new Asset(bytes, ContentType(name), $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"");
        }
        return assets;
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };

    /// <summary>Serves the asset at the request's path; false when there is none.</summary>
    public static async Task<bool> TryServeAsync(HttpContext context)
    {
        string path = context.Request.Path.Value ?? "/";
        string key = path == "/" ? "index.html" : path.TrimStart('/');
        if (!Assets.TryGetValue(key, out var asset)) return false;
        var response = context.Response;
        response.Headers.ContentSecurityPolicy = Policy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-cache";
        response.Headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return true;
        }
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Bytes.Length;
        if (!HttpMethods.IsHead(context.Request.Method)) await response.Body.WriteAsync(asset.Bytes, context.RequestAborted);
        return true;
    }
}
