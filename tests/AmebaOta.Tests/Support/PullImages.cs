using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Images;

namespace AmebaOta.Tests.Support;

/// <summary>Images of the pull sketches, made with the real builder.</summary>
public static class PullImages
{
    /// <summary>A version-<paramref name="version"/> image whose sketch pulls from <paramref name="server"/> the <paramref name="mode"/> way.</summary>
    public static byte[] Image(uint version, SketchMode mode, string server, int? size = null) =>
        ImageBuilder.Build(new ImageBuildOptions(new SketchDescriptor(version, Mode: mode, AppliesVersion1Settings: version == 1, Server: server), size));

    /// <summary>The server a pull image of <paramref name="mode"/> names, on <paramref name="serve"/>.</summary>
    public static string ServerFor(SketchMode mode, ServeProcess serve) => mode == SketchMode.SdkLocal ? serve.TcpServer : serve.HttpServer;

    /// <summary>The flash's boot log as <c>flash boot</c> prints it, and the version it starts.</summary>
    public static async Task<(CliResult Result, uint? Version)> FlashBootAsync(TempDir dir, string flashPath)
    {
        var result = await Cli.RunAsync(dir.Path, "flash", "boot", flashPath);
        var boot = AmebaOta.Families.Ameba1.Boot.BootLoader.Boot(AmebaOta.Flash.FlashFile.Load(flashPath), new AmebaOta.Pins.PinLevels());
        return (result, boot.Booted?.Body.Sketch?.Version);
    }
}
