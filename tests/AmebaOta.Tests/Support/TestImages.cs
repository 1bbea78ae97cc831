using System.Net;
using System.Net.Sockets;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Flash;
using AmebaOta.Images;

namespace AmebaOta.Tests.Support;

/// <summary>Images and chips for protocol tests, built with the real builders.</summary>
public static class TestImages
{
    public static byte[] Image(uint version, int? size = null, bool? v1Settings = null, SketchMode mode = SketchMode.Basic) =>
        ImageBuilder.Build(new ImageBuildOptions(new SketchDescriptor(version, Mode: mode, AppliesVersion1Settings: v1Settings ?? version == 1), size));

    /// <summary>A 1 MiB chip after a USB/DAP upload of <paramref name="image"/>: Default Image 2 at 0xB000, no system data.</summary>
    public static NorFlash ChipWith(byte[] image)
    {
        var flash = BlankChip.Create(FlashLayout.OneMiB);
        DapUpload.Write(flash, ImageFile.Parse(image));
        return flash;
    }

    /// <summary>A port on 127.0.0.1 nothing listens on (bound, then released).</summary>
    public static int UnusedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
