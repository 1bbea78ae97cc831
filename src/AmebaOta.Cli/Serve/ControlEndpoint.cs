using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AmebaOta.Protocol.Serving;
using Microsoft.AspNetCore.Http;

namespace AmebaOta.Cli.Serve;

/// <summary>
/// <c>POST /_ameba-ota/image</c> (the body is the new image) and <c>POST /_ameba-ota/reload</c> (read the file again),
/// each only with <c>Authorization: Bearer &lt;token&gt;</c>, the random token <c>serve</c> prints at start. A new image
/// is checked as at start and swapped in whole, or refused with the reason (the old one stays). A reload never reads a
/// file that may still be being written: one modified less than the settle time ago is refused (409, <c>Retry-After</c>).
/// </summary>
public sealed class ControlEndpoint(IImageSource images, string imagePath, string token, ServeConsole console, TimeSpan settle)
{
    /// <summary>Largest image body accepted (the largest flash of any family: AmebaPro2's 16 MiB).</summary>
    public const int MaxImageBytes = 16 * 1024 * 1024;

    /// <summary>A fresh token: 128 random bits in hex.</summary>
    public static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public async Task HandleAsync(HttpContext context)
    {
        if (!Authorized(context.Request))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await ReplyAsync(context, 401, new ControlJson(false, "missing or wrong token (Authorization: Bearer <the token serve printed at start>)", null, null, null));
            return;
        }
        string action = context.Request.Path.Value![ServeOptions.ControlPrefix.Length..];
        PullReload result;
        switch (action)
        {
            case "reload":
                if (StillSettling() is { } wait)
                {
                    context.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    string busy = $"{Path.GetFileName(imagePath)} changed {(settle - wait).TotalSeconds:0.#} s ago: it is read only once it has stayed " +
                        $"unchanged for {settle.TotalSeconds:0.###} s (--settle), so that no board gets half of an old and half of a new image; try again in {wait.TotalSeconds:0.#} s";
                    console.Warning($"reload refused: {busy}");
                    var now = images.Current;
                    await ReplyAsync(context, 409, new ControlJson(false, busy, now?.Name, now?.Checksum, now?.Length));
                    return;
                }
                result = images.Reload(imagePath);
                break;
            case "image":
                var body = await ReadBodyAsync(context);
                if (body is null)
                {
                    await ReplyAsync(context, 413, new ControlJson(false, $"the image must be 1 to {MaxImageBytes} bytes", null, null, null));
                    return;
                }
                result = images.Replace(body, "posted image");
                break;
            default:
                await ReplyAsync(context, 404, new ControlJson(false, "control actions: POST /_ameba-ota/image (body: the image), POST /_ameba-ota/reload", null, null, null));
                return;
        }
        var current = images.Current;
        if (result.Swapped) console.Event("image", result.Message, current);
        else console.Warning(result.Message);
        await ReplyAsync(context, result.Swapped ? 200 : 422, new ControlJson(result.Swapped, result.Message, current?.Name, current?.Checksum, current?.Length));
    }

    /// <summary>How much longer the file must stay unchanged before it may be read; null when it already has (or is gone: the reload says so).</summary>
    private TimeSpan? StillSettling()
    {
        var info = new FileInfo(imagePath);
        if (!info.Exists) return null;
        var age = DateTime.UtcNow - info.LastWriteTimeUtc;
        return age >= settle || age < -settle ? null : settle - age;
    }

    /// <summary>True when the request carries <c>Authorization: Bearer &lt;the token&gt;</c>.</summary>
    public bool Authorized(HttpRequest request) => HasToken(request, token);

    /// <summary>True when <paramref name="request"/> carries <c>Authorization: Bearer <paramref name="token"/></c> (compared in constant time).</summary>
    public static bool HasToken(HttpRequest request, string token)
    {
        string header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal)) return false;
        var given = Encoding.ASCII.GetBytes(header["Bearer ".Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(given, Encoding.ASCII.GetBytes(token));
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength is > MaxImageBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > MaxImageBytes) return null;
        }
        return buffer.Length == 0 ? null : buffer.ToArray();
    }

    private static async Task ReplyAsync(HttpContext context, int status, ControlJson json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(json, ServeJsonContext.Default.ControlJson) + "\n", context.RequestAborted);
    }
}
