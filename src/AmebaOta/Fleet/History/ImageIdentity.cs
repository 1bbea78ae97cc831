using System.Security.Cryptography;
using AmebaOta.Families;

namespace AmebaOta.Fleet.History;

/// <summary>What identifies an image in the history: its SHA-256, with size, file name, byte-sum checksum and sketch version (when it has a descriptor).</summary>
public sealed record ImageIdentity(string Sha256, long Size, string FileName, uint Checksum, uint? SketchVersion)
{
    /// <summary>The family whose boards the image is for (<c>ameba1</c>, <c>amebad</c>, …).</summary>
    public string Family { get; init; } = "ameba1";

    /// <summary>The identity of a parsed image file; <paramref name="fileName"/> is what to show (no directory).</summary>
    public static ImageIdentity Of(IFirmwareImage image, string fileName) =>
        new(Convert.ToHexStringLower(SHA256.HashData(image.Bytes)), image.Length, fileName, image.Checksum, image.Sketch?.Version) { Family = image.Family.Id };

    /// <summary>The first 12 hex digits, enough to tell images apart on screen.</summary>
    public string ShortSha => Sha256[..12];
}
