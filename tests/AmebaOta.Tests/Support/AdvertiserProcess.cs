using System.Diagnostics;

namespace AmebaOta.Tests.Support;

/// <summary>A long-running CLI command (such as <c>mdns advertise</c>) inside a <see cref="PrivateNetwork"/>; disposing stops it with SIGTERM.</summary>
public sealed class AdvertiserProcess(PrivateNetwork network, ProcessStartInfo psi) : CliProcess(Process.Start(network.Wrap(psi))!);
