# Installs the Flux controllers (flux2 chart) and one GitRepository + Kustomization pair
# (flux2-sync chart) that reconcile clusters/<cluster> of the platform repository.
#
# The flux2-sync chart names its GitRepository and Kustomization after the Helm release
# and ignores any name in its values, so the release is named what the renderer
# references (git_source_name, default "flux-system", as `flux bootstrap` names them) and
# the git_source_name output is read back from the release itself.
#
# OpenTofu never writes to Git: the platform tree is written by `wildside platform render`,
# so Flux only needs read access. No Git token is handled here; with git_auth = "deploy_key"
# the only secret in state is the read-only deploy key the Secret is built from.

locals {
  git_path        = coalesce(var.git_path, "clusters/${var.cluster_name}")
  uses_secret     = var.git_auth != "none"
  controller_vals = { nodeSelector = var.node_selector }
  # Controller images of the Flux release this platform is tested with (controller_tags).
  controller_image = {
    for component, tag in var.controller_tags : component => { tag = tag }
  }
}

resource "helm_release" "flux2" {
  name             = "flux2"
  namespace        = var.namespace
  create_namespace = true
  repository       = var.helm_repository
  chart            = "flux2"
  version          = var.flux2_chart_version
  atomic           = true
  wait             = true
  timeout          = 600

  values = [yamlencode({
    helmController         = merge(local.controller_vals, try(local.controller_image.helm, {}))
    kustomizeController    = merge(local.controller_vals, try(local.controller_image.kustomize, {}))
    notificationController = merge(local.controller_vals, try(local.controller_image.notification, {}))
    sourceController       = merge(local.controller_vals, try(local.controller_image.source, {}))
    # Image automation writes to Git; previews are committed by the wildside CLI instead.
    imageAutomationController = { create = false }
    imageReflectionController = { create = false }
  })]
}

resource "tls_private_key" "deploy_key" {
  count     = var.git_auth == "deploy_key" ? 1 : 0
  algorithm = "ED25519"
}

resource "kubernetes_secret_v1" "git" {
  count = var.git_auth == "deploy_key" ? 1 : 0

  metadata {
    name      = var.git_secret_name
    namespace = var.namespace
    labels = {
      "app.kubernetes.io/managed-by" = "opentofu"
    }
  }

  data = {
    identity       = tls_private_key.deploy_key[0].private_key_openssh
    "identity.pub" = tls_private_key.deploy_key[0].public_key_openssh
    known_hosts    = var.git_known_hosts
  }

  depends_on = [helm_release.flux2]
}

resource "helm_release" "flux2_sync" {
  # The chart names the GitRepository and the Kustomization after the release.
  name       = var.git_source_name
  namespace  = var.namespace
  repository = var.helm_repository
  chart      = "flux2-sync"
  version    = var.flux2_sync_chart_version
  atomic     = true

  values = [yamlencode({
    gitRepository = {
      spec = merge(
        {
          url      = var.git_repository_url
          ref      = { branch = var.git_branch }
          interval = var.sync_interval
        },
        local.uses_secret ? { secretRef = { name = var.git_secret_name } } : {},
      )
    }
    kustomization = {
      spec = {
        path     = "./${local.git_path}"
        prune    = true
        interval = "10m"
      }
    }
  })]

  depends_on = [helm_release.flux2, kubernetes_secret_v1.git]
}
